"""Taking payment: start (the QR), check actively (query), verify notifies,
the development one-click payment, and closing unpaid orders."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select, update

from extensions import db
from models import Order
from models.base import utcnow
from models.commerce import ORDER_CLOSED, ORDER_PAID, ORDER_PENDING
from services.store import coupons
from services.store.orders.errors import StoreError
from services.store.orders.fulfil import fulfil
from services.store.payments import PaymentError, PaymentProvider, get_provider, payment_settings

log = logging.getLogger("tollgate.payments")
orders = Order.__table__
_PROVIDERS = "tollgate.payment_providers"


def provider(name: str) -> PaymentProvider:
    """The app's provider of that name, built once per worker; PaymentError
    if it cannot exist here (dev in production, Alipay unconfigured)."""
    cache = current_app.extensions.setdefault(_PROVIDERS, {})
    if name not in cache:
        cache[name] = get_provider(name, payment_settings(current_app.config))
    return cache[name]


def amount_of(order) -> Decimal:
    return (Decimal(order.amount_cents) / 100).quantize(Decimal("0.01"))


def start(order: Order) -> Order:
    """Ask the provider for the order's QR, once; later calls reuse it. The QR
    expires with the order (reconcile closes it then), so a pending order
    past its time gets none."""
    if order.status != ORDER_PENDING or order.qr_code:
        return order
    remaining = (order.expires_at - utcnow()).total_seconds()
    if remaining <= 0:
        raise StoreError("order_expired", "This order has expired; please place a new one.", 410)
    try:
        checkout = provider(order.provider).start(order.order_no, amount_of(order),
                                                  f"Tollgate {order.package_name}", expires_in=remaining)
    except PaymentError as exc:
        log.warning("order %s: payment could not start: %s", order.order_no, exc.message)
        raise StoreError("payment_unavailable", "The payment could not be started; try again shortly.",
                         502) from None
    db.session.execute(update(orders).where(orders.c.id == order.id, orders.c.qr_code.is_(None))
                       .values(qr_code=checkout.qr_code))
    db.session.commit()
    db.session.refresh(order)
    return order


def refresh(order: Order, *, force: bool = False) -> Order:
    """While an order is pending, ask the provider (at most once per
    PAYMENT_QUERY_INTERVAL across all pollers) so a lost notify strands nothing."""
    if order.status != ORDER_PENDING or order.provider == "dev":
        return order
    now = utcnow()
    if not force:
        interval = timedelta(seconds=current_app.config["PAYMENT_QUERY_INTERVAL"])
        turn = db.session.execute(
            update(orders).where(orders.c.id == order.id, orders.c.status == ORDER_PENDING,
                                 or_(orders.c.checked_at.is_(None), orders.c.checked_at <= now - interval))
            .values(checked_at=now)).rowcount == 1
        db.session.commit()
        if not turn:
            db.session.refresh(order)
            return order
    try:
        status = provider(order.provider).query(order.order_no)
    except PaymentError as exc:
        log.warning("order %s: query failed: %s", order.order_no, exc.message)
        return order
    if status.state == "PAID":
        if status.amount != amount_of(order):
            log.warning("order %s: query says paid %s, order is %s: not credited",
                        order.order_no, status.amount, amount_of(order))
        else:
            fulfil(order.order_no, via="query", trade_no=status.trade_no)
    elif status.state == "CLOSED":
        close(order.order_no, "closed at the provider")
    db.session.refresh(order)
    return order


@dataclass(frozen=True)
class NotifyResult:
    ack: bool     # reply the provider's "success"
    reason: str   # why, for logs and tests


def handle_notify(provider_name: str, form) -> NotifyResult:
    """Verify a notify and act on it. Acknowledged only when the order is
    paid afterwards (or, for a genuine close, closed); anything forged,
    tampered or mismatched changes nothing and is logged."""
    try:
        prov = provider(provider_name)
    except PaymentError:
        return _reject("provider_unavailable", None, provider_name)
    event = prov.parse_notify(form)
    if event is None:
        return _reject("bad_signature", form.get("out_trade_no"), provider_name)
    settings = payment_settings(current_app.config)
    if event.app_id != settings.get("ALIPAY_APP_ID"):
        return _reject("wrong_app_id", event.order_no, provider_name)
    seller = settings.get("ALIPAY_SELLER_ID")
    if seller and event.seller_id != seller:
        return _reject("wrong_seller_id", event.order_no, provider_name)
    order = db.session.scalar(select(Order).where(Order.order_no == event.order_no))
    if order is None or order.provider != provider_name:
        return _reject("unknown_order", event.order_no, provider_name)
    if event.amount != amount_of(order):
        return _reject(f"wrong_amount {event.amount} != {amount_of(order)}", event.order_no, provider_name)
    if event.state == "PAID":
        result = fulfil(order.order_no, via="notify", trade_no=event.trade_no)
        if result.status == ORDER_PAID:
            return NotifyResult(True, "paid" if result.fulfilled_now else "already_paid")
        return _reject(f"paid_but_order_{result.status}", event.order_no, provider_name)
    if event.state == "CLOSED":
        status = close(order.order_no, "closed by notify")
        if status == ORDER_PAID:
            log.warning("order %s: provider says closed after payment (refund?): handle by hand", order.order_no)
        return NotifyResult(True, f"closed ({status})")
    if event.state == "WAIT":
        # Genuine, for this order, just not paid yet: acknowledged so Alipay
        # stops resending it; the paid notify (or the poller's query) credits.
        log.info("payment notify (%s): order %s waits for the buyer", provider_name, order.order_no)
        return NotifyResult(True, "waiting")
    # A status we do not know: not acknowledged, so it comes again.
    return _reject(f"unknown_state {event.state}", event.order_no, provider_name)


def _reject(reason: str, order_no, provider_name: str) -> NotifyResult:
    # The order number may be the forger's text: bounded and quoted.
    log.warning("payment notify rejected (%s): reason=%s order=%r", provider_name, reason, str(order_no)[:64])
    return NotifyResult(False, reason)


def dev_pay(order: Order):
    """The development provider's "I have paid" button. Never in production:
    the dev provider refuses to exist there, so provider() raises."""
    if order.provider != "dev" or current_app.config["ENV_NAME"] == "production":
        raise StoreError("dev_payment_off", "Development payment is not available.", 403)
    try:
        provider("dev")
    except PaymentError:
        raise StoreError("dev_payment_off", "Development payment is not available.", 403) from None
    return fulfil(order.order_no, via="dev", trade_no=f"DEV-{order.order_no}")


def close(order_no: str, why: str) -> str:
    """pending -> closed, giving its coupon use back, in one transaction.
    Returns the order's status afterwards."""
    with db.engine.begin() as conn:
        row = conn.execute(select(orders.c.id, orders.c.coupon_id, orders.c.status)
                           .where(orders.c.order_no == order_no)).first()
        if row is None:
            return "missing"
        closed = conn.execute(update(orders).where(orders.c.id == row.id, orders.c.status == ORDER_PENDING)
                              .values(status=ORDER_CLOSED, closed_at=utcnow())).rowcount == 1
        if not closed:
            return conn.execute(select(orders.c.status).where(orders.c.id == row.id)).scalar_one()
        if row.coupon_id is not None:
            coupons.release(conn, row.coupon_id)
    log.info("order %s closed: %s", order_no, why)
    return ORDER_CLOSED

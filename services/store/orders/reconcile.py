"""`flask orders reconcile`: query pending orders the notify may have missed
and close the ones that expired unpaid."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Order
from models.base import utcnow
from models.commerce import ORDER_PAID, ORDER_PENDING
from services.store.orders import payment
from services.store.payments import PaymentError

log = logging.getLogger("tollgate.payments")

# An order is closed this long after its expiry, not at once: a QR made in
# the order's last minute lives 1m (Alipay's shortest timeout_express), and
# Alipay starts counting when the precreate reaches it. Until then a paid
# notify or query still credits the pending order.
CLOSE_GRACE = timedelta(seconds=120)


def reconcile(older_than_seconds: int | None = None) -> dict:
    """Returns counts: checked, paid, closed, failed (left pending for next time)."""
    if older_than_seconds is None:
        older_than_seconds = current_app.config["RECONCILE_AFTER_SECONDS"]
    now = utcnow()
    cutoff = now - timedelta(seconds=older_than_seconds)
    expired = now - CLOSE_GRACE
    rows = list(db.session.scalars(select(Order).where(Order.status == ORDER_PENDING, Order.created_at <= cutoff)
                                   .order_by(Order.id).limit(1000)))
    counts = {"checked": 0, "paid": 0, "closed": 0, "failed": 0}
    for order in rows:
        counts["checked"] += 1
        payment.refresh(order, force=True)
        if order.status == ORDER_PENDING and order.expires_at <= expired:
            _expire(order)
        db.session.refresh(order)
        if order.status == ORDER_PAID:
            counts["paid"] += 1
        elif order.status != ORDER_PENDING:
            counts["closed"] += 1
        elif order.expires_at <= expired:
            counts["failed"] += 1
    return counts


def _expire(order: Order) -> None:
    """Close at the provider first (alipay.trade.close): a trade paid at the
    last second must be credited, never closed. If the close fails (gateway
    down, a business error) the order stays pending and the next reconcile
    tries again; the warning names the order."""
    if order.provider != "dev":
        try:
            payment.provider(order.provider).close(order.order_no)
        except PaymentError as exc:
            if exc.sub_code == "ACQ.TRADE_STATUS_ERROR":  # paid meanwhile
                payment.refresh(order, force=True)
            else:
                log.warning("order %s: close failed, left pending for the next reconcile: %s",
                            order.order_no, exc.message)
            return
    payment.close(order.order_no, "expired unpaid")

"""Fulfilment, exactly once per order however many notifies, queries and
clicks race for it: one transaction moves the order pending -> paid with a
conditional UPDATE and, only if that UPDATE won, books the credits through
the ledger (idempotency keys derived from the order number), provisions
the account (unless the order, placed while signed in, names one) and key
of a first purchase, and queues the mail. Any failure
rolls all of it back and leaves the order pending for the next try."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import insert, select, update

from extensions import db
from models import Account, ApiKey, KEY_ACTIVE, Order
from models.base import utcnow
from models.commerce import ORDER_PAID, ORDER_PENDING, PURCHASE
from services import mailer
from services.billing import ledger
from services.crypto import encrypt_secret
from services.identity.keys import generate_key, key_digest

log = logging.getLogger("tollgate.payments")
orders = Order.__table__


@dataclass(frozen=True)
class Fulfilment:
    order_no: str
    status: str         # the order's status afterwards
    fulfilled_now: bool  # this call moved it to paid


def fulfil(order_no: str, *, via: str, trade_no: str | None = None, then=None) -> Fulfilment | None:
    """Mark a pending order paid and deliver it. None if there is no such
    order; `fulfilled_now` False if it was not pending (already paid, closed).
    `then(conn, order)`, if given, runs in the winning transaction only (the
    admin's note and audit entry ride along with the credits)."""
    with db.engine.connect() as conn:
        order = conn.execute(select(orders).where(orders.c.order_no == order_no)).first()
    if order is None:
        return None
    if order.status != ORDER_PENDING:
        return Fulfilment(order_no, order.status, False)
    now = utcnow()
    with db.engine.begin() as conn:
        won = conn.execute(
            update(orders).where(orders.c.id == order.id, orders.c.status == ORDER_PENDING)
            .values(status=ORDER_PAID, paid_at=now, paid_via=via, trade_no=trade_no or order.trade_no)
        ).rowcount == 1
        if not won:
            status = conn.execute(select(orders.c.status).where(orders.c.id == order.id)).scalar_one()
            return Fulfilment(order_no, status, False)
        _deliver(conn, order, now)
        if then is not None:
            then(conn, order)
    log.info("order %s paid via %s: %s credits delivered", order_no, via, order.base_credits + order.bonus_credits)
    return Fulfilment(order_no, ORDER_PAID, True)


def _deliver(conn, order, now) -> None:
    values = {"delivery_state": "delivered"}
    account_id, key_id = order.account_id, order.key_id
    raw_key = None
    if order.kind == PURCHASE:
        if account_id is None:  # a guest purchase; one made while signed in names its account
            account_id = conn.execute(insert(Account.__table__).values(
                name=order.contact_email[:120], email=order.contact_email, balance=0, status="active",
                created_at=now).returning(Account.__table__.c.id)).scalar_one()
        key_id, raw_key = _new_key(conn, account_id, f"Key for {order.order_no}", now)
        values.update(account_id=account_id, key_id=key_id,
                      key_ciphertext=encrypt_secret(current_app.config["SECRET_KEY"], raw_key))
    kind = "purchase" if order.kind == PURCHASE else "topup"
    note = f"{order.package_name} ({order.amount_cents / 100:.2f} {'CNY'})"
    if order.base_credits:
        ledger.post(account_id, order.base_credits, kind, f"order:{order.order_no}", ref=order.order_no,
                    note=note, key_id=key_id, conn=conn)
    if order.bonus_credits:
        ledger.post(account_id, order.bonus_credits, "bonus", f"order:{order.order_no}:bonus",
                    ref=order.order_no, note=f"bonus: {note}", key_id=key_id, conn=conn)
    conn.execute(update(orders).where(orders.c.id == order.id).values(**values))
    mailer.queue(conn, order.contact_email, *_mail(order, raw_key), ref=order.order_no)


def _new_key(conn, account_id: int, name: str, now) -> tuple[int, str]:
    """The same key services.identity.keys.create_key issues, inside this transaction."""
    raw = generate_key()
    key_id = conn.execute(insert(ApiKey.__table__).values(
        account_id=account_id, name=name, digest=key_digest(raw), prefix=raw[:7], last4=raw[-4:],
        status=KEY_ACTIVE, spent=0, created_at=now).returning(ApiKey.__table__.c.id)).scalar_one()
    return key_id, raw


def _mail(order, raw_key: str | None) -> tuple[str, str]:
    credits = f"{order.base_credits + order.bonus_credits:,}"
    site = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if raw_key:
        return (f"Your Tollgate API key (order {order.order_no})",
                f"Thank you for your order {order.order_no} ({order.package_name}).\n\n"
                f"Your API key: {raw_key}\n"
                f"Credits: {credits}\n"
                f"Base URL for SDKs: {site}/v1\n\n"
                "Keep the key secret: anyone who has it can spend its credits.\n")
    return (f"Tollgate top-up received (order {order.order_no})",
            f"Your top-up {order.order_no} ({order.package_name}) is paid: "
            f"{credits} credits were added to your {'key' if order.key_id else 'account'}.\n")

"""What an operator does to an order by hand: mark it paid (through the
same exactly-once fulfilment as a notify, paid_via "admin") or refund it
(the credits go back out through the ledger). Both need a reason and leave
an audit entry in the transaction that moves the money."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update

from extensions import db
from models import Order
from models.base import utcnow
from models.commerce import ORDER_PAID, ORDER_REFUNDED
from services import audit
from services.billing import ledger
from services.store.orders.fulfil import fulfil
from i18n import N_

log = logging.getLogger("tollgate.payments")
orders = Order.__table__


class OrderActionError(ValueError):
    """A refusal the operator can read: `code` is stable, the message English."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    order_no: str
    status: str
    done_now: bool  # this call changed the order


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OrderActionError("reason_required", N_("Give a reason; it is kept on the order and in the audit log."))
    return reason[:255]


def mark_paid(order_no: str, *, actor_user_id: int, reason: str) -> Outcome:
    """Pending -> paid, credits booked exactly once however many operators
    (and notifies) race for it. A call that finds the order already paid
    changes nothing and says so."""
    reason = _reason(reason)

    def note(conn, order) -> None:
        conn.execute(update(orders).where(orders.c.id == order.id).values(admin_note=reason))
        audit.record(actor_user_id, "order.mark_paid", f"order:{order_no}", reason,
                     {"credits": order.base_credits + order.bonus_credits, "amount_cents": order.amount_cents},
                     conn=conn)

    db.session.rollback()  # no read snapshot held while fulfil writes (SQLite)
    result = fulfil(order_no, via="admin", then=note)
    if result is None:
        raise OrderActionError("order_not_found", f"No order {order_no}.")
    if not result.fulfilled_now and result.status != ORDER_PAID:
        raise OrderActionError("not_pending", f"Order {order_no} is {result.status}; only a pending order can be marked paid.")
    return Outcome(order_no, result.status, result.fulfilled_now)


def refund(order_no: str, *, actor_user_id: int, reason: str) -> Outcome:
    """Paid -> refunded, and the order's credits taken back off its account
    with one ledger entry (kind "adjust", the ledger's kind for an operator's
    correction either way; idempotency key `refund:<order_no>`). Refused,
    changing nothing, when the balance no longer covers the credits."""
    reason = _reason(reason)
    db.session.rollback()
    with db.engine.begin() as conn:
        order = conn.execute(select(orders).where(orders.c.order_no == order_no)).first()
        if order is None:
            raise OrderActionError("order_not_found", f"No order {order_no}.")
        if order.status == ORDER_REFUNDED:
            return Outcome(order_no, ORDER_REFUNDED, False)
        if order.status != ORDER_PAID or order.account_id is None:
            raise OrderActionError("not_paid", f"Order {order_no} is {order.status}; only a paid order can be refunded.")
        won = conn.execute(
            update(orders).where(orders.c.id == order.id, orders.c.status == ORDER_PAID)
            .values(status=ORDER_REFUNDED, refunded_at=utcnow(), admin_note=reason)).rowcount == 1
        if not won:
            return Outcome(order_no, ORDER_REFUNDED, False)
        credits = order.base_credits + order.bonus_credits
        try:
            ledger.post(order.account_id, -credits, "adjust", f"refund:{order_no}", ref=order_no,
                        note=f"refund of order {order_no}: {reason}"[:255], key_id=order.key_id, conn=conn)
        except ledger.InsufficientCredits as exc:
            raise OrderActionError(
                "balance_too_low",
                f"The account's balance ({exc.balance:,} credits) no longer covers the {credits:,} credits "
                "this order gave; nothing was refunded.") from None
        audit.record(actor_user_id, "order.refund", f"order:{order_no}", reason,
                     {"credits": credits, "account_id": order.account_id, "amount_cents": order.amount_cents},
                     conn=conn)
    log.info("order %s refunded by user %s: %s credits reversed", order_no, actor_user_id, credits)
    return Outcome(order_no, ORDER_REFUNDED, True)

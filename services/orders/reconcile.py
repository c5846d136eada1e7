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
from services.orders import payment
from services.payments import PaymentError

log = logging.getLogger("tollgate.payments")


def reconcile(older_than_seconds: int | None = None) -> dict:
    """Returns counts: checked, paid, closed, failed (left pending for next time)."""
    if older_than_seconds is None:
        older_than_seconds = current_app.config["RECONCILE_AFTER_SECONDS"]
    now = utcnow()
    cutoff = now - timedelta(seconds=older_than_seconds)
    rows = list(db.session.scalars(select(Order).where(Order.status == ORDER_PENDING, Order.created_at <= cutoff)
                                   .order_by(Order.id).limit(1000)))
    counts = {"checked": 0, "paid": 0, "closed": 0, "failed": 0}
    for order in rows:
        counts["checked"] += 1
        payment.refresh(order, force=True)
        if order.status == ORDER_PENDING and order.expires_at <= now:
            _expire(order)
        db.session.refresh(order)
        if order.status == ORDER_PAID:
            counts["paid"] += 1
        elif order.status != ORDER_PENDING:
            counts["closed"] += 1
        elif order.expires_at <= now:
            counts["failed"] += 1
    return counts


def _expire(order: Order) -> None:
    """Close at the provider first: a trade paid at the last second must be
    credited, never closed."""
    if order.provider != "dev":
        try:
            payment.provider(order.provider).close(order.order_no)
        except PaymentError as exc:
            if exc.sub_code == "ACQ.TRADE_STATUS_ERROR":  # paid meanwhile
                payment.refresh(order, force=True)
            else:
                log.warning("order %s: close failed, left pending: %s", order.order_no, exc.message)
            return
    payment.close(order.order_no, "expired unpaid")

"""Reading the books from the test side."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import LedgerEntry, Order, Outbox


def order_row(stack, order_no: str) -> Order:
    with stack.app.app_context():
        row = db.session.scalar(select(Order).where(Order.order_no == order_no))
        db.session.expunge_all()
        return row


def order_entries(stack, order_no: str) -> list[LedgerEntry]:
    with stack.app.app_context():
        rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.ref == order_no)
                                  .order_by(LedgerEntry.id)).all()
        db.session.expunge_all()
        return rows


def outbox_bodies(stack, order_no: str) -> list[str]:
    from services.mailer import body_of

    with stack.app.app_context():
        return [body_of(row) for row in db.session.scalars(select(Outbox).where(Outbox.ref == order_no))]

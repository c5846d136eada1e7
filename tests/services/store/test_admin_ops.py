"""The operator's money operations in process, on SQLite and PostgreSQL:
mark-paid exactly once under a race, refunds through the ledger (refused
when the balance no longer covers them), balance adjustments with reasons,
each with its audit entry."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import current_app
from sqlalchemy import select

from extensions import db
from models import AuditEntry, LedgerEntry, Order, User
from services.billing import accounts, ledger
from services.identity import users
from services.identity.keys import create_key
from services.store.orders import create
from services.store.orders.manual import OrderActionError, mark_paid, refund


@pytest.fixture
def operator(app):
    return users.create_user("op@example.com", "correct horse battery", is_admin=True).id


@pytest.fixture
def topup(app):
    account = accounts.create_account("buyer", "buyer@example.com")
    _key, raw = create_key(account.id, "k")
    order = create.create_topup(raw, "topup_100", "buyer@example.com")
    return order.order_no, account.id


def audit_rows(action):
    db.session.rollback()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_racing_mark_paid_books_the_credits_once(app, operator, topup):
    order_no, account_id = topup
    real_app = current_app._get_current_object()

    def attempt(i):
        with real_app.app_context():
            return mark_paid(order_no, actor_user_id=operator, reason=f"bank transfer seen ({i})").done_now

    with ThreadPoolExecutor(6) as pool:
        winners = sum(pool.map(attempt, range(6)))
    assert winners == 1
    assert ledger.balance_of(account_id) == 6_000_000_000
    db.session.rollback()
    order = db.session.scalar(select(Order).where(Order.order_no == order_no))
    assert (order.status, order.paid_via) == ("paid", "admin") and order.admin_note.startswith("bank transfer")
    assert len(audit_rows("order.mark_paid")) == 1
    assert ledger.verify() == []


def test_mark_paid_needs_a_reason_and_a_pending_order(app, operator, topup):
    order_no, _ = topup
    with pytest.raises(OrderActionError, match="reason"):
        mark_paid(order_no, actor_user_id=operator, reason="  ")
    with pytest.raises(OrderActionError):
        mark_paid("NOSUCH", actor_user_id=operator, reason="x")
    assert audit_rows("order.mark_paid") == []


def test_refund_reverses_the_credits_once_and_the_books_stay_clean(app, operator, topup):
    order_no, account_id = topup
    mark_paid(order_no, actor_user_id=operator, reason="paid by phone")
    assert refund(order_no, actor_user_id=operator, reason="customer asked").done_now
    assert refund(order_no, actor_user_id=operator, reason="again").done_now is False
    assert ledger.balance_of(account_id) == 0
    db.session.rollback()
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == f"refund:{order_no}"))
    assert (entry.kind, entry.amount) == ("adjust", -6_000_000_000)
    order = db.session.scalar(select(Order).where(Order.order_no == order_no))
    assert order.status == "refunded" and order.refunded_at is not None and order.admin_note == "customer asked"
    assert [a.reason for a in audit_rows("order.refund")] == ["customer asked"]
    assert ledger.verify() == []


def test_a_refund_the_balance_no_longer_covers_is_refused_and_changes_nothing(app, operator, topup):
    order_no, account_id = topup
    mark_paid(order_no, actor_user_id=operator, reason="ok")
    accounts.adjust(account_id, -1, reason="spent one credit", actor_user_id=operator)
    with pytest.raises(OrderActionError, match="no longer covers") as err:
        refund(order_no, actor_user_id=operator, reason="too late")
    assert err.value.code == "balance_too_low"
    db.session.rollback()
    assert db.session.scalar(select(Order.status).where(Order.order_no == order_no)) == "paid"
    assert ledger.balance_of(account_id) == 6_000_000_000 - 1
    assert audit_rows("order.refund") == [] and ledger.verify() == []


def test_a_pending_order_cannot_be_refunded(app, operator, topup):
    with pytest.raises(OrderActionError, match="only a paid order"):
        refund(topup[0], actor_user_id=operator, reason="x")


def test_adjust_books_an_entry_and_an_audit_row_and_never_goes_below_zero(app, operator):
    account = accounts.create_account("a")
    accounts.adjust(account.id, 500, reason="goodwill", actor_user_id=operator)
    accounts.adjust(account.id, -200, reason="correction", actor_user_id=operator)
    with pytest.raises(ledger.InsufficientCredits):
        accounts.adjust(account.id, -301, reason="too much", actor_user_id=operator)
    with pytest.raises(accounts.AccountError):
        accounts.adjust(account.id, 5, reason="", actor_user_id=operator)
    db.session.rollback()
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id)
                                 .order_by(LedgerEntry.id)).all()
    assert [(e.kind, e.amount, e.note) for e in entries] == [("adjust", 500, "goodwill"), ("adjust", -200, "correction")]
    rows = audit_rows("account.adjust")
    assert [(r.reason, r.detail, r.actor_user_id, r.target) for r in rows] == [
        ("goodwill", {"credits": 500}, operator, f"account:{account.id}"),
        ("correction", {"credits": -200}, operator, f"account:{account.id}")]
    assert ledger.balance_of(account.id) == 300 and ledger.verify() == []
    assert db.session.get(User, operator).is_admin

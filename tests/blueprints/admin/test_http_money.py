"""Money through the admin over real HTTP against gunicorn (2 workers), on
SQLite and PostgreSQL: two operators marking one order paid at once credit
it once; a refund reverses the credits and `ledger verify` stays clean; a
balance adjustment with a reason books a ledger entry and an audit entry."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from extensions import db
from models import AuditEntry, Order
from services.billing import accounts
from services.identity.keys import create_key
from services.store.orders import create
from tests.blueprints.admin.conftest import HttpOperator, make_user
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def stack(databases):
    stack = Stack(databases.new(), workers=2, name="tollgate-admin-money")
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def operators(stack):
    return [HttpOperator(stack.app, stack.url, make_user(stack.app, f"ops{i}@example.com", is_admin=True))
            for i in range(2)]


def new_topup(stack) -> tuple[str, int]:
    with stack.app.app_context():
        account = accounts.create_account("buyer", "buyer@example.com")
        _key, raw = create_key(account.id, "k")
        return create.create_topup(raw, "topup_100", "buyer@example.com").order_no, account.id


def audit(stack, action: str, target: str) -> list[AuditEntry]:
    with stack.app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                           AuditEntry.target == target)).all()
        db.session.expunge_all()
        return rows


def test_two_operators_marking_paid_at_once_credit_once(stack, operators):
    order_no, account_id = new_topup(stack)
    page = f"/admin/orders/{order_no}"
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', op.get(page).text).group(1) for op in operators]

    def mark(i):
        return operators[i].post(f"{page}/mark-paid", {"reason": f"transfer seen by {i}", "csrf_token": tokens[i]},
                                 csrf=False)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(mark, range(2)))
    assert all(a.status_code == 200 for a in answers)
    texts = [a.text for a in answers]
    assert sum("marked paid; its credits were booked" in t for t in texts) == 1
    assert sum("was already paid; nothing changed" in t for t in texts) == 1
    assert stack.balance(account_id) == 6_000_000_000
    assert [(e.kind, e.amount) for e in stack.entries(account_id)] == [("topup", 5_000_000_000),
                                                                       ("bonus", 1_000_000_000)]
    assert len(audit(stack, "order.mark_paid", f"order:{order_no}")) == 1
    with stack.app.app_context():
        assert db.session.scalar(select(Order.paid_via).where(Order.order_no == order_no)) == "admin"
    assert stack.verify() == []


def test_refund_reverses_the_credits_and_the_ledger_stays_clean(stack, operators):
    order_no, account_id = new_topup(stack)
    op = operators[0]
    page = f"/admin/orders/{order_no}"
    op.post(f"{page}/mark-paid", {"reason": "paid by phone"}, page=page)
    answer = op.post(f"{page}/refund", {"reason": "customer changed their mind"}, page=page)
    assert "refunded; its credits were taken back" in answer.text
    assert '<span class="badge refunded">refunded</span>' in answer.text
    assert stack.balance(account_id) == 0
    assert stack.entries(account_id)[-1].idempotency_key == f"refund:{order_no}"
    again = op.post(f"{page}/refund", {"reason": "twice"}, page=page)
    # manual.refund finds the order refunded and changes nothing (no error).
    assert f"Order {order_no} was already refunded; nothing changed." in again.text
    assert "only a paid order" not in again.text
    assert stack.balance(account_id) == 0 and stack.verify() == []
    assert [a.reason for a in audit(stack, "order.refund", f"order:{order_no}")] == ["customer changed their mind"]
    assert "ledger ok" in op.get("/admin/ledger").text.lower()


def test_a_refund_the_balance_no_longer_covers_is_refused(stack, operators):
    order_no, account_id = new_topup(stack)
    op = operators[1]
    page = f"/admin/orders/{order_no}"
    op.post(f"{page}/mark-paid", {"reason": "ok"}, page=page)
    op.post(f"/admin/accounts/{account_id}/adjust", {"credits": "-10", "reason": "used some"},
            page=f"/admin/accounts/{account_id}")
    answer = op.post(f"{page}/refund", {"reason": "too late"}, page=page)
    assert "no longer covers" in answer.text and "nothing was refunded" in answer.text
    assert stack.balance(account_id) == 6_000_000_000 - 10 and stack.verify() == []


def test_adjust_balance_with_a_reason_books_an_entry_and_an_audit_row(stack, operators):
    _raw, _key_id, account_id = stack.new_key(100, name="adjust me")
    op = operators[0]
    page = f"/admin/accounts/{account_id}"
    answer = op.post(f"{page}/adjust", {"credits": "2500", "reason": "goodwill <b>credit</b>"}, page=page)
    assert "Balance adjusted by +2,500 credits." in answer.text
    assert "goodwill &lt;b&gt;credit&lt;/b&gt;" in answer.text  # the note shows in the ledger table, escaped
    refused = op.post(f"{page}/adjust", {"credits": "-999999", "reason": "too much"}, page=page)
    assert "cannot go below zero" in refused.text
    missing = op.post(f"{page}/adjust", {"credits": "5", "reason": ""}, page=page)
    assert "Give a reason" in missing.text
    entries = [(e.kind, e.amount, e.note) for e in stack.entries(account_id)]
    assert entries[-1] == ("adjust", 2500, "goodwill <b>credit</b>") and len(entries) == 2
    rows = audit(stack, "account.adjust", f"account:{account_id}")
    assert [(r.reason, r.detail) for r in rows] == [("goodwill <b>credit</b>", {"credits": 2500})]
    assert stack.balance(account_id) == 2600 and stack.verify() == []
    assert "account.adjust" in op.get("/admin/audit").text

"""The money rules, on SQLite and PostgreSQL."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from extensions import db
from models import Account, ApiKey, LedgerEntry
from models.base import utcnow
from services.billing import accounts, ledger
from services.identity.keys import create_key


@pytest.fixture
def wallet(app):
    """(account id, key id) with 1,000 credits."""
    account = accounts.create_account("wallet")
    accounts.grant(account.id, 1000, kind="topup", idempotency_key=f"seed:{account.id}")
    key, _raw = create_key(account.id, "k")
    return account.id, key.id


def entries(account_id):
    return db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.account_id == account_id)
                              .order_by(LedgerEntry.id)).all()


def test_post_is_idempotent(wallet):
    account_id, _ = wallet
    assert ledger.post(account_id, 50, "topup", "order:A1") is True
    assert ledger.post(account_id, 50, "topup", "order:A1") is False
    assert ledger.balance_of(account_id) == 1050
    assert ledger.verify() == []


def test_debit_beyond_the_balance_changes_nothing(wallet):
    account_id, _ = wallet
    with pytest.raises(ledger.InsufficientCredits):
        ledger.post(account_id, -1001, "adjust", "fine:1")
    assert ledger.balance_of(account_id) == 1000
    assert [e.kind for e in entries(account_id)] == ["topup"]


def test_reserve_then_settle_charges_the_cost_and_returns_the_rest(wallet):
    account_id, key_id = wallet
    assert ledger.reserve(account_id, key_id, 300, "req_1")
    assert ledger.balance_of(account_id) == 700
    assert ledger.verify() == []  # an open hold is on the books too
    charged = ledger.settle(account_id, key_id, 300, 120, "req_1")
    assert charged == 120
    assert ledger.balance_of(account_id) == 880
    assert [(e.kind, e.amount) for e in entries(account_id)] == [
        ("topup", 1000), ("reserve", -300), ("release", 300), ("charge", -120)]
    assert db.session.get(ApiKey, key_id).spent == 120
    assert ledger.verify() == []


def test_reserve_refused_when_the_balance_is_short(wallet):
    account_id, key_id = wallet
    assert not ledger.reserve(account_id, key_id, 1001, "req_big")
    assert ledger.balance_of(account_id) == 1000


def test_charge_never_exceeds_the_hold(wallet):
    account_id, key_id = wallet
    ledger.reserve(account_id, key_id, 100, "req_2")
    assert ledger.settle(account_id, key_id, 100, 5000, "req_2") == 100
    assert ledger.balance_of(account_id) == 900


def test_settling_twice_books_once(wallet):
    account_id, key_id = wallet
    ledger.reserve(account_id, key_id, 100, "req_3")
    ledger.settle(account_id, key_id, 100, 40, "req_3")
    ledger.settle(account_id, key_id, 100, 40, "req_3")
    assert ledger.balance_of(account_id) == 960
    assert ledger.verify() == []


def test_spend_cap_refuses_and_rolls_back(app):
    account = accounts.create_account("capped")
    accounts.grant(account.id, 1000)
    key, _ = create_key(account.id, "k", spend_cap=150)
    assert ledger.reserve(account.id, key.id, 100, "c1")
    with pytest.raises(ledger.SpendCapReached):
        ledger.reserve(account.id, key.id, 100, "c2")
    assert ledger.balance_of(account.id) == 900  # the second hold left no trace
    assert ledger.verify() == []


def test_sweep_returns_stale_holds_once_and_a_late_settle_still_charges(wallet):
    account_id, key_id = wallet
    ledger.reserve(account_id, key_id, 200, "req_dead")
    ledger.reserve(account_id, key_id, 100, "req_alive")
    db.session.execute(update(LedgerEntry).where(LedgerEntry.ref == "req_dead")
                       .values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    assert ledger.sweep(3600) == 1
    assert ledger.sweep(3600) == 0
    assert ledger.balance_of(account_id) == 900  # 200 back, 100 still held
    # The request was alive after all: its settle charges, nothing is released twice.
    assert ledger.settle(account_id, key_id, 200, 30, "req_dead") == 30
    assert ledger.balance_of(account_id) == 870
    assert ledger.verify() == []


def test_verify_names_a_tampered_or_negative_account(wallet):
    account_id, _ = wallet
    db.session.execute(update(Account).where(Account.id == account_id).values(balance=5))
    db.session.commit()
    problems = ledger.verify()
    assert [p.account_id for p in problems] == [account_id]
    assert f"account {account_id}" in problems[0].describe()


def test_concurrent_reserves_never_overdraw(app, wallet):
    account_id, key_id = wallet
    results = []

    def take(i):
        with app.app_context():
            results.append(ledger.reserve(account_id, key_id, 100, f"par_{i}"))

    threads = [threading.Thread(target=take, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 10
    assert ledger.balance_of(account_id) == 0
    assert ledger.verify() == []


def test_a_key_disabled_after_authentication_is_refused_at_the_reservation(wallet):
    account_id, key_id = wallet
    db.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(status="disabled"))
    db.session.commit()
    with pytest.raises(ledger.KeyDisabled):
        ledger.reserve(account_id, key_id, 10, "req_late")
    assert ledger.balance_of(account_id) == 1000


def test_a_late_settle_logs_what_it_could_charge(wallet):
    """After the sweeper gave a hold back and the balance was spent, a late
    settle charges what is left, and its request log says that amount."""
    from models import RequestLog
    account_id, key_id = wallet
    ledger.reserve(account_id, key_id, 600, "req_late")
    db.session.execute(update(LedgerEntry).where(LedgerEntry.ref == "req_late")
                       .values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    assert ledger.sweep(3600) == 1
    ledger.reserve(account_id, key_id, 800, "req_spender")  # 200 left
    log = {"request_id": "req_late", "account_id": account_id, "key_id": key_id, "door": "openai", "status": 200}
    assert ledger.settle(account_id, key_id, 600, 500, "req_late", log) == 200
    assert ledger.balance_of(account_id) == 0
    assert db.session.scalar(db.select(RequestLog.credits).where(RequestLog.request_id == "req_late")) == 200
    assert ledger.settle(account_id, key_id, 600, 500, "req_late", log) == 0  # once
    assert ledger.verify() == []


def test_a_settle_with_its_log_books_the_log_once(wallet):
    from models import RequestLog
    account_id, key_id = wallet
    assert ledger.reserve(account_id, key_id, 300, "req_logged")
    log = {"request_id": "req_logged", "account_id": account_id, "key_id": key_id, "door": "openai",
           "model": "m", "status": 200, "prompt_tokens": 7, "completion_tokens": 3, "stream": True}
    assert ledger.settle(account_id, key_id, 300, 120, "req_logged", log) == 120
    row = db.session.scalars(db.select(RequestLog).where(RequestLog.request_id == "req_logged")).one()
    assert (row.credits, row.prompt_tokens, row.completion_tokens, row.stream, row.model) == (120, 7, 3, True, "m")
    key = db.session.get(ApiKey, key_id)
    db.session.refresh(key)
    assert key.spent == 120 and key.last_used_at is not None
    assert ledger.balance_of(account_id) == 880 and ledger.verify() == []


def test_the_sweeper_finds_holds_through_the_index_of_reservations_alone(app):
    # The index holds only kind = 'reserve' rows, so a request's release and
    # charge entries never update it; the sweeper's query is still served by it.
    if db.engine.dialect.name == "postgresql":
        definition = db.session.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_ledger_reserves_created'")).scalar()
        assert definition is not None and "WHERE" in definition and "'reserve'" in definition, definition
        return
    statement = ledger.stale_holds(utcnow()).compile(dialect=db.engine.dialect)
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(statement),
                                    tuple(statement.params[name] for name in statement.positiontup)).all()
    assert any("ix_ledger_reserves_created" in row[-1] for row in plan), plan

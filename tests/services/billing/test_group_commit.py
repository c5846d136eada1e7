"""Group commit: many requests' ledger writes in one transaction, each
request answered with its own result, on SQLite and PostgreSQL.

The writer is made cooperative by hand and driven by greenlets: gevent runs
them without patching the database drivers, so their writes meet in the
writer's queue exactly as concurrent requests of one worker do."""
import gevent
import pytest

from extensions import db
from models import ApiKey, LedgerEntry, RequestLog
from services.billing import accounts, group_commit, ledger
from services.identity.keys import create_key


@pytest.fixture
def commits(monkeypatch):
    """A cooperative writer in place of the worker's; counts its transactions."""
    writer = group_commit.GroupCommit(cooperative=lambda: True)
    monkeypatch.setattr(group_commit, "writes", writer)
    opened = []
    real = group_commit.transaction

    def counted():
        opened.append(1)
        return real()

    monkeypatch.setattr(group_commit, "transaction", counted)
    return opened


def pipelined() -> bool:
    return db.engine.dialect.name == "postgresql"


def wallet(credits: int, name: str = "w", **key_options):
    account = accounts.create_account(name)
    accounts.grant(account.id, credits, kind="topup", idempotency_key=f"seed:{account.id}")
    key, _raw = create_key(account.id, "k", **key_options)
    return account.id, key.id


def in_greenlets(app, calls):
    """Run each call in a greenlet of its own, all at once; their results."""
    def one(call):
        with app.app_context():
            return call()

    jobs = [gevent.spawn(one, call) for call in calls]
    gevent.joinall(jobs, raise_error=False, timeout=30)
    return jobs


def test_concurrent_reservations_share_one_transaction_and_never_overspend(app, commits):
    account_id, key_id = wallet(1000)
    jobs = in_greenlets(app, [lambda i=i: ledger.reserve(account_id, key_id, 300, f"r{i}") for i in range(5)])
    assert [job.value for job in jobs] == [True, True, True, False, False]
    # Five requests, one transaction; on PostgreSQL the batch sent at once
    # met a refusal, was rolled back and run again statement by statement.
    assert len(commits) == (2 if pipelined() else 1)
    assert ledger.balance_of(account_id) == 100
    assert ledger.verify() == []


def test_each_settlement_gets_its_own_charge_in_a_shared_transaction(app, commits):
    account_id, key_id = wallet(1000)
    other_account, other_key = wallet(1000, "other")
    for i, (acc, key) in enumerate([(account_id, key_id), (other_account, other_key)] * 2):
        assert ledger.reserve(acc, key, 200, f"s{i}")
    commits.clear()
    costs = [50, 60, 70, 500]  # the last is capped at its hold
    pairs = [(account_id, key_id), (other_account, other_key)] * 2
    jobs = in_greenlets(app, [
        lambda i=i, cost=cost, acc=acc, key=key: ledger.settle(
            acc, key, 200, cost, f"s{i}", {"request_id": f"s{i}", "account_id": acc, "key_id": key,
                                           "door": "openai.chat", "status": 200})
        for i, (cost, (acc, key)) in enumerate(zip(costs, pairs))])
    assert [job.value for job in jobs] == [50, 60, 70, 200]
    assert len(commits) == 1
    assert ledger.balance_of(account_id) == 1000 - 50 - 70
    assert ledger.balance_of(other_account) == 1000 - 60 - 200
    assert db.session.get(ApiKey, key_id).spent == 120
    assert db.session.query(RequestLog).count() == 4
    assert ledger.verify() == []


def test_on_postgresql_a_batch_is_sent_in_one_pipeline(app, commits, monkeypatch):
    account_id, key_id = wallet(1000)
    sent, met = [], []
    real = group_commit.Tx.all_at_once

    def counted(tx, steps):
        sent.append(len(steps))
        met.append(real(tx, steps))
        return met[-1]

    monkeypatch.setattr(group_commit.Tx, "all_at_once", counted)
    jobs = in_greenlets(app, [lambda i=i: ledger.reserve(account_id, key_id, 100, f"p{i}") for i in range(4)])
    assert all(job.value is True for job in jobs)
    costs = [30, 0, 100, 500]  # a charge and a return; nothing to charge; nothing to return; capped
    jobs = in_greenlets(app, [
        lambda i=i, cost=cost: ledger.settle(account_id, key_id, 100, cost, f"p{i}", {
            "request_id": f"p{i}", "account_id": account_id, "key_id": key_id, "door": "openai.chat",
            "status": 200}) for i, cost in enumerate(costs)])
    assert [job.value for job in jobs] == [30, 0, 100, 100]
    # one statement per write (services/billing/one_statement.py), each doing what it expected
    assert (sent, met) == (([4, 4], [True, True]) if pipelined() else ([], []))
    assert len(commits) == 2
    assert ledger.balance_of(account_id) == 770
    assert db.session.get(ApiKey, key_id).spent == 230
    assert [log.credits for log in db.session.query(RequestLog).order_by(RequestLog.request_id)] == costs[:3] + [100]
    assert ledger.verify() == []


def test_a_swept_hold_is_settled_exactly_after_the_pipeline_falls_back(app, commits):
    account_id, key_id = wallet(1000)
    assert ledger.reserve(account_id, key_id, 300, "swept")
    assert ledger.reserve(account_id, key_id, 300, "kept")
    ledger.post(account_id, 300, "release", "release:swept", ref="swept", key_id=key_id)  # as the sweeper does
    jobs = in_greenlets(app, [lambda: ledger.settle(account_id, key_id, 300, 100, "swept"),
                              lambda: ledger.settle(account_id, key_id, 300, 100, "kept")])
    assert [job.value for job in jobs] == [100, 100]
    assert ledger.balance_of(account_id) == 800
    assert ledger.verify() == []


def test_a_key_refusal_inside_a_batch_puts_its_balance_back_and_spares_the_others(app, commits):
    account_id, key_id = wallet(1000)
    capped_account, capped_key = wallet(1000, "capped", spend_cap=100)
    jobs = in_greenlets(app, [
        lambda: ledger.reserve(account_id, key_id, 300, "ok1"),
        lambda: ledger.reserve(capped_account, capped_key, 300, "capped"),
        lambda: ledger.reserve(account_id, key_id, 300, "ok2"),
    ])
    assert jobs[0].value is True and jobs[2].value is True
    assert isinstance(jobs[1].exception, ledger.SpendCapReached)
    assert len(commits) == (2 if pipelined() else 1)
    assert ledger.balance_of(account_id) == 400
    assert ledger.balance_of(capped_account) == 1000
    assert db.session.get(ApiKey, capped_key).spent == 0
    assert ledger.verify() == []


def test_a_write_that_raises_fails_alone(app, commits):
    account_id, key_id = wallet(1000)

    def broken(tx):
        raise RuntimeError("a bug in one write")

    jobs = in_greenlets(app, [
        lambda: ledger.reserve(account_id, key_id, 100, "a"),
        lambda: group_commit.writes.run((account_id, key_id), broken),
        lambda: ledger.reserve(account_id, key_id, 100, "b"),
    ])
    assert jobs[0].value is True and jobs[2].value is True
    assert isinstance(jobs[1].exception, RuntimeError)
    # The batch was rolled back and run again one write at a time (the
    # failing write has no statements to send at once).
    assert len(commits) == 1 + 3
    assert ledger.balance_of(account_id) == 800
    refs = sorted(e.ref for e in db.session.query(LedgerEntry).filter_by(kind="reserve"))
    assert refs == ["a", "b"]
    assert ledger.verify() == []


def test_writes_queued_behind_a_batch_lead_the_next_one(app, commits):
    account_id, key_id = wallet(10_000)
    writer = group_commit.writes
    writer.max_batch = 4
    jobs = in_greenlets(app, [lambda i=i: ledger.reserve(account_id, key_id, 10, f"q{i}") for i in range(10)])
    assert all(job.value is True for job in jobs)
    assert len(commits) == 3  # 4 + 4 + 2
    assert ledger.balance_of(account_id) == 10_000 - 100
    assert writer._queue == [] and writer._leading is False


def test_a_request_killed_while_queued_still_has_its_write_committed(app, commits):
    account_id, key_id = wallet(1000)

    def reserve(ref):
        with app.app_context():
            return ledger.reserve(account_id, key_id, 100, ref)

    first = gevent.spawn(reserve, "lead")
    queued = gevent.spawn(reserve, "killed")
    gevent.sleep(0)  # both are in the queue; the first leads
    queued.kill(block=False)
    gevent.joinall([first, queued], timeout=30)
    assert first.value is True
    later = in_greenlets(app, [lambda: ledger.reserve(account_id, key_id, 100, "after")])
    assert later[0].value is True  # the writer is not wedged
    refs = sorted(e.ref for e in db.session.query(LedgerEntry).filter_by(kind="reserve"))
    assert refs == ["after", "killed", "lead"]
    assert ledger.balance_of(account_id) == 700
    assert ledger.verify() == []


def test_without_gevent_each_write_is_its_own_transaction(app, monkeypatch):
    writer = group_commit.GroupCommit(cooperative=lambda: False)
    monkeypatch.setattr(group_commit, "writes", writer)
    account_id, key_id = wallet(1000)
    assert ledger.reserve(account_id, key_id, 100, "plain")
    assert writer._queue == [] and writer._leading is False
    assert ledger.settle(account_id, key_id, 100, 40, "plain") == 40
    assert ledger.balance_of(account_id) == 960

"""The task store on SQLite and PostgreSQL: a task is finished exactly once
whoever races to finish it (pollers, the timeout, an operator), claims are
exclusive while their lease lasts, and the sweeper leaves task holds to the
tasks' own timeout."""
from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import timedelta

import pytest

from extensions import db
from models import Task
from models.base import utcnow
from services.billing import accounts, ledger
from services.billing.pricing import Price, Usage
from services.identity.keys import create_key
from services.tasks import poller, store

PRICE = Price(request=5, video={"*": 100})
START = 10_000


def make_task(hold: int = 1_005, *, age: timedelta = timedelta(0), n: int = 0) -> Task:
    account = accounts.create_account(f"tasks {n}")
    accounts.grant(account.id, START, note="test credits")
    key, _raw = create_key(account.id, "k")
    request_id = f"req-{account.id}-{n}"
    assert ledger.reserve(account.id, key.id, hold, request_id)
    now = utcnow() - age
    task = Task(id=store.new_id("video_"), family="openai.videos", account_id=account.id, key_id=key.id,
                channel_id=None, model="sora-2", provider_task_id="up-1", request_id=request_id, hold=hold,
                price=asdict(PRICE), status="queued", progress=0, polls=0, params={"seconds": 10},
                next_poll_at=now, created_at=now, updated_at=now)
    db.session.add(task)
    db.session.commit()
    return task


def charges(account_id: int) -> list[int]:
    return [-e.amount for e in db.session.scalars(db.select(ledger.LedgerEntry)
                                                  .where(ledger.LedgerEntry.account_id == account_id,
                                                         ledger.LedgerEntry.kind == "charge"))]


def test_a_task_is_finished_once(app):
    task = make_task()
    assert store.finish(task, "succeeded", usage=Usage(video_seconds=7)) == 705
    assert store.finish(task, "succeeded", usage=Usage(video_seconds=7)) is None
    assert store.finish(task, "failed") is None
    assert ledger.balance_of(task.account_id) == START - 705
    assert charges(task.account_id) == [705]
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "succeeded"
    assert ledger.verify() == []


def test_the_charge_never_passes_the_hold(app):
    task = make_task(hold=505)
    assert store.finish(task, "succeeded", usage=Usage(video_seconds=12)) == 505
    assert ledger.balance_of(task.account_id) == START - 505


def test_racing_finishers_settle_or_release_exactly_once(app):
    task = make_task()
    db.session.refresh(task)
    db.session.expunge(task)  # a plain snapshot the threads can share (no lazy loads)
    application = app
    results = []

    def finisher(status):
        with application.app_context():
            try:
                results.append(store.finish(task, status, usage=Usage(video_seconds=3)))
            except Exception as exc:  # shown by the assertion below
                results.append(exc)

    threads = [threading.Thread(target=finisher, args=("succeeded" if i % 2 else "failed",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    db.session.expire_all()
    row = db.session.get(Task, task.id)
    assert charges(task.account_id) == ([305] if row.status == "succeeded" else [])
    assert ledger.balance_of(task.account_id) == START - (305 if row.status == "succeeded" else 0)
    assert ledger.verify() == []


def test_a_claim_is_exclusive_until_its_lease_lapses(app):
    tasks = [make_task(n=i) for i in range(4)]
    first = store.claim("poller-a", 10, lease_seconds=60)
    second = store.claim("poller-b", 10, lease_seconds=60)
    assert sorted(t.id for t in first) == sorted(t.id for t in tasks) and second == []
    db.session.execute(db.update(Task).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert len(store.claim("poller-b", 10, lease_seconds=60)) == 4  # a killed poller's tasks come back


def test_the_sweeper_leaves_a_tasks_hold_to_its_timeout(app):
    task = make_task(age=timedelta(hours=2))
    orphan_account = accounts.create_account("orphan")
    accounts.grant(orphan_account.id, START, note="test credits")
    key, _raw = create_key(orphan_account.id, "k")
    assert ledger.reserve(orphan_account.id, key.id, 300, "orphan-req")
    db.session.execute(db.update(ledger.LedgerEntry).where(ledger.LedgerEntry.ref.in_(["orphan-req", task.request_id]))
                       .values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    assert ledger.sweep(3600) == 1  # the orphan's, not the task's
    assert ledger.balance_of(orphan_account.id) == START
    assert ledger.balance_of(task.account_id) == START - task.hold
    assert poller.expire(60) == 1 and poller.expire(60) == 0  # the task's own timeout, once
    assert ledger.balance_of(task.account_id) == START
    assert ledger.verify() == []


def test_an_operator_fails_a_stuck_task_once_and_it_is_audited(app):
    from models import AuditEntry
    task = make_task()
    assert store.fail_by_operator(task.id, None, "stuck upstream") == 0
    assert store.fail_by_operator(task.id, None, "again") is None
    assert ledger.balance_of(task.account_id) == START
    (entry,) = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "task.fail")).all()
    assert entry.target == task.id and entry.reason == "stuck upstream"


@pytest.mark.parametrize("status", ["queued", "in_progress"])
def test_only_open_tasks_are_claimed(app, status):
    task = make_task()
    task.status = status
    db.session.commit()
    store.finish(task, "failed")
    assert store.claim("p", 10, 60) == []

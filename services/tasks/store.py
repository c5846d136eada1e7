"""The task rows: recorded at submit, claimed under a lease by one poller at
a time, finished exactly once.

Exactly once: `finish` changes a task from an open status to a final one
with a compare-and-set in the same transaction as the ledger's settle, so
two pollers (or a poller and the timeout, or the admin) can never both
settle or release a task; the loser's transaction changes nothing. The
lease (`claim`) only keeps pollers from doing the same fetch twice; it is
a compare-and-set too, so it works alike on SQLite and PostgreSQL."""
from __future__ import annotations

import calendar
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from extensions import db
from services import audit
from models import Task
from models.base import utcnow
from models.task import IN_PROGRESS, OPEN, QUEUED, SUCCEEDED
from services.billing import ledger, pricing
from services.billing.sql import Statement, transaction
from services.ids import sortable_id
from services.catalog.snapshot import current_catalog

tasks = Task.__table__

_FINISH = Statement(
    "UPDATE tasks SET status = :status, cost = :cost, progress = :progress, error = :error, "
    "finished_at = :now, updated_at = :now, lease_owner = NULL, lease_until = NULL "
    "WHERE id = :id AND status IN ('queued', 'in_progress')")


def epoch(moment) -> int | None:
    """Seconds since 1970 of a naive UTC timestamp."""
    return calendar.timegm(moment.utctimetuple()) if moment is not None else None


def channel_of(task):
    """The channel that took the task, from the catalog (None: gone or disabled)."""
    for channels in current_catalog().routes.values():
        for channel in channels:
            if channel.id == task.channel_id:
                return channel
    return None


def new_id(prefix: str) -> str:
    return sortable_id(prefix)  # the tasks table's primary key: inserts go to its last leaf


def record(family, call, accepted, task_id: str, params: dict) -> Task:
    """The task of a submit the upstream accepted. Its hold stays open."""
    now = utcnow()
    task = Task(
        id=task_id, family=family.name, action=params.get("action"), account_id=call.key.account_id,
        key_id=call.key.id, channel_id=call.channel.id, model=call.model.id,
        upstream_model=call.upstream_body.get("model"), provider_task_id=accepted.provider_task_id[:128],
        request_id=call.request_id, hold=call.hold, price=asdict(call.model.price),
        status=accepted.status, progress=accepted.progress, params=params, result=accepted.result,
        upstream_status=accepted.upstream_status, polls=0, next_poll_at=now, created_at=now, updated_at=now)
    db.session.add(task)
    db.session.commit()
    return task


def visible(account_id: int, task_id: str, families: tuple[str, ...]) -> Task | None:
    """A task of this account in one of `families`; None for anything else
    (another account's id is as unknown as a made-up one)."""
    task = db.session.get(Task, task_id)
    if task is None or task.account_id != account_id or task.family not in families:
        return None
    return task


def by_provider_id(account_id: int, family: str, provider_task_id: str) -> Task | None:
    return db.session.execute(select(Task).where(
        Task.account_id == account_id, Task.family == family,
        Task.provider_task_id == provider_task_id)).scalars().first()


def claim(owner: str, limit: int, lease_seconds: float) -> list[Task]:
    """Up to `limit` open tasks due for a poll whose lease is free, each
    taken by a compare-and-set so that no other poller has it."""
    now = utcnow()
    due = select(tasks.c.id).where(
        tasks.c.status.in_(OPEN), tasks.c.next_poll_at <= now,
        or_(tasks.c.lease_until.is_(None), tasks.c.lease_until < now),
    ).order_by(tasks.c.next_poll_at).limit(limit)
    until = now + timedelta(seconds=lease_seconds)
    claimed = []
    with db.engine.begin() as conn:
        candidates = [row[0] for row in conn.execute(due)]
    for task_id in candidates:
        with db.engine.begin() as conn:
            taken = conn.execute(update(tasks).where(
                tasks.c.id == task_id, tasks.c.status.in_(OPEN),
                or_(tasks.c.lease_until.is_(None), tasks.c.lease_until < now),
            ).values(lease_owner=owner, lease_until=until)).rowcount
        if taken == 1:
            claimed.append(task_id)
    if not claimed:
        return []
    db.session.expire_all()
    return list(db.session.execute(select(Task).where(Task.id.in_(claimed))).scalars())


def save_poll(task: Task, owner: str, poll, next_in: float, raw) -> None:
    """A poll that did not finish the task: what it said, and the next poll's time."""
    now = utcnow()
    values = {"updated_at": now, "next_poll_at": now + timedelta(seconds=next_in), "polls": task.polls + 1,
              "lease_owner": None, "lease_until": None, "upstream_raw": raw}
    if poll is not None:
        values.update(progress=max(0, min(int(poll.progress or 0), 100)), upstream_status=poll.upstream_status,
                      status=IN_PROGRESS if poll.status == IN_PROGRESS else task.status)
        if poll.result is not None:
            values["result"] = poll.result
        if poll.result_url is not None:
            values["result_url"] = poll.result_url
    with db.engine.begin() as conn:
        conn.execute(update(tasks).where(tasks.c.id == task.id, tasks.c.lease_owner == owner,
                                         tasks.c.status.in_(OPEN)).values(**values))


def keep_result(task: Task, poll, raw) -> None:
    """What the final poll said, written before the task is finished (the
    finish itself only moves scalars, in the ledger's transaction)."""
    values = {"upstream_status": poll.upstream_status, "upstream_raw": raw, "polls": task.polls + 1}
    if poll.result is not None:
        values["result"] = poll.result
    if poll.result_url is not None:
        values["result_url"] = poll.result_url
    with db.engine.begin() as conn:
        conn.execute(update(tasks).where(tasks.c.id == task.id, tasks.c.status.in_(OPEN)).values(**values))


def price_of(task: Task) -> pricing.Price:
    return pricing.Price(**(task.price or {}))


def finish(task: Task, status: str, *, usage: pricing.Usage | None = None, error: str | None = None,
           error_code: str | None = None, http_status: int = 200, door: str | None = None) -> int | None:
    """Move an open task to `status` (succeeded: charged on `usage`, never
    more than its hold; failed: the hold released) and write its request
    log, in one transaction. None when the task was already finished: then
    nothing changes."""
    cost = pricing.cost(price_of(task), usage) if status == SUCCEEDED and usage is not None else 0
    log = {"request_id": task.request_id, "account_id": task.account_id, "key_id": task.key_id,
           "door": door or task.family, "model": task.model, "upstream_model": task.upstream_model,
           "channel_id": task.channel_id, "stream": False, "status": http_status, "error_code": error_code,
           "latency_ms": int((utcnow() - task.created_at).total_seconds() * 1000)}
    with transaction() as tx:
        now = tx.stamp(utcnow())
        changed = tx.rowcount(_FINISH, {"status": status, "cost": min(cost, task.hold),
                                        "progress": 100 if status == SUCCEEDED else task.progress,
                                        "error": (error or "")[:255] or None, "now": now, "id": task.id})
        if changed != 1:
            return None
        return ledger.settle_in(tx, task.account_id, task.key_id, task.hold, cost, task.request_id, log)


def overdue(timeout_minutes: float) -> list[Task]:
    cutoff = utcnow() - timedelta(minutes=timeout_minutes)
    return list(db.session.execute(select(Task).where(
        Task.status.in_(OPEN), Task.created_at < cutoff).limit(500)).scalars())


def recent(account_id: int | None = None, *, limit: int = 50, status: str | None = None) -> list[Task]:
    query = select(Task).order_by(Task.created_at.desc()).limit(limit)
    if account_id is not None:
        query = query.where(Task.account_id == account_id)
    if status:
        query = query.where(Task.status == status)
    return list(db.session.execute(query).scalars())


def counts() -> dict[str, int]:
    """Open tasks by status (for the admin and metrics)."""
    rows = db.session.execute(select(Task.status, func.count()).where(Task.status.in_(OPEN))
                              .group_by(Task.status)).all()
    return {QUEUED: 0, IN_PROGRESS: 0, **{status: n for status, n in rows}}



def fail_by_operator(task_id: str, actor_user_id: int | None, reason: str) -> int | None:
    """An operator fails a stuck task: its hold released, the act audited.
    None when there is no such open task."""
    task = db.session.get(Task, task_id)
    if task is None or task.status not in OPEN:
        return None
    released = finish(task, "failed", error=f"failed by an operator: {reason}"[:255], error_code="task_cancelled",
                      http_status=500)
    if released is not None:
        audit.record(actor_user_id, "task.fail", target=task_id, reason=reason)
    return released

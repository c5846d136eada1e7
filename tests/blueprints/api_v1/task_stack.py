"""What the task tests share: a Tollgate whose workers poll every 0.2 s and
time tasks out after 3 s, waiting for a task to end, and the books' checks."""
from __future__ import annotations

import time

from sqlalchemy import select

from extensions import db
from models import Task
from tests.support.stack import Stack

POLL = "0.2"
TIMEOUT_MINUTES = "0.05"  # 3 s: the fake's tasks end within 1.5 s unless told never to
ENV = {"TASK_POLL_SECONDS": POLL, "TASK_TIMEOUT_MINUTES": TIMEOUT_MINUTES, "TASK_LEASE_SECONDS": "5"}


def task_stack(db_url: str, name: str, *, workers: int = 1, env: dict | None = None) -> Stack:
    return Stack(db_url, workers=workers, env={**ENV, **(env or {})}, name=name)


def task(stack: Stack, task_id: str) -> Task:
    with stack.app.app_context():
        row = db.session.get(Task, task_id)
        db.session.expunge_all()
        return row


def tasks_of(stack: Stack, account: int) -> list[Task]:
    with stack.app.app_context():
        rows = db.session.scalars(select(Task).where(Task.account_id == account).order_by(Task.created_at)).all()
        db.session.expunge_all()
        return rows


def wait_finished(stack: Stack, task_id: str, timeout: float = 20.0) -> Task:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = task(stack, task_id)
        if row is not None and row.status in ("succeeded", "failed"):
            return row
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} did not finish in {timeout} s: {task(stack, task_id)}")


def kinds(stack: Stack, account: int) -> list[tuple[str, int]]:
    return [(e.kind, e.amount) for e in stack.entries(account)]


def assert_books(stack: Stack, account: int, start: int, charged: int) -> None:
    """One hold, released once, charged `charged` once; the balance moved by
    exactly that and every account's books balance."""
    entries = [(k, a) for k, a in kinds(stack, account) if k != "adjust"]
    holds = [a for k, a in entries if k == "reserve"]
    assert len(holds) == 1, entries
    assert [a for k, a in entries if k == "release"] == [-holds[0]], entries
    assert [-a for k, a in entries if k == "charge"] == ([charged] if charged else []), entries
    assert charged <= -holds[0]
    assert stack.balance(account) == start - charged
    assert stack.verify() == []

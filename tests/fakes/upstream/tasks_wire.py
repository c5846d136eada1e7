"""What every fake task provider shares: tasks that take their time, fail
sometimes, or never finish, as a `[[fake {...}]]` directive in the prompt
says, kept in the fake upstream process (`app.tasks`).

Directive keys: `after` (seconds until the task ends, default 1.0; the
progress rises with the time), `fail` (it ends failed, with `error_message`),
`never` (it never ends), `seconds` (the video length the provider reports
when done, overriding the request's), `status` and `error_message` (the
submit itself is refused with that HTTP status)."""
from __future__ import annotations

import time

from .behaviour import rand_id


class FakeTask:
    def __init__(self, kind: str, request: dict, behaviour: dict, prefix: str):
        self.id = prefix + rand_id(20)
        self.kind = kind
        self.request = request
        self.behaviour = behaviour
        self.created = time.time()
        self.polls = 0

    @property
    def elapsed(self) -> float:
        return time.time() - self.created

    def state(self) -> tuple[str, int]:
        """("queued" | "in_progress" | "completed" | "failed", progress 0..100)."""
        after = float(self.behaviour.get("after", 1.0))
        if self.behaviour.get("never"):
            return ("in_progress", 50) if self.elapsed > 0.1 else ("queued", 0)
        if self.elapsed >= after:
            return ("failed", 0) if self.behaviour.get("fail") else ("completed", 100)
        if self.elapsed < min(0.1, after / 4):
            return "queued", 0
        return "in_progress", min(99, int(100 * self.elapsed / after))


def store(app) -> dict:
    return app.tasks  # emptied by the app's reset


def add(app, kind: str, request: dict, behaviour: dict, prefix: str) -> FakeTask:
    task = FakeTask(kind, request, behaviour, prefix)
    store(app)[task.id] = task
    return task


def get(app, task_id: str) -> FakeTask | None:
    task = store(app).get(task_id)
    if task is not None:
        task.polls += 1
    return task

"""Group commit: the request path's ledger writes, many requests to one
transaction.

Under gevent, many requests of one worker reach their reservation or their
settlement at about the same moment, and each used to open, run and commit
a transaction of its own. Here the first to arrive leads: it gives the
other ready greenlets one turn of the event loop to queue their writes,
runs every queued write in one transaction, commits, and wakes each waiter
with its own result. A request still goes on only once its own write is
committed, so a client that has read the end of its answer finds its
balance final, and a killed worker loses at most writes whose requests
were never answered (their holds go back through the sweeper).

Writes run in (account, key) order, so the batches of two workers lock the
same rows in the same order and cannot deadlock each other on PostgreSQL.
A write that raises rolls its batch back; the batch is then run again one
write per transaction, so a bad write fails only its own request.

Without gevent's patched sockets (the test client, a threaded server) each
write is simply its own transaction.
"""
from __future__ import annotations

from typing import Callable

from services import metrics
from services.billing.sql import Tx, transaction

try:
    import gevent
    from gevent import monkey
    from gevent.event import Event
except ImportError:  # pragma: no cover - gevent is a hard dependency
    gevent = None

MAX_BATCH = 64  # bounds how long the first writer of a batch waits for the rest


def _cooperative() -> bool:
    return gevent is not None and monkey.is_module_patched("socket")


class _Unmet(Exception):
    """A statement sent at once did not do what its write expected."""


class _Pending:
    __slots__ = ("order", "work", "steps", "result", "value", "error", "done", "lead")

    def __init__(self, order, work, steps, result):
        self.order = order
        self.work = work
        self.steps = steps
        self.result = result
        self.value = None
        self.error: BaseException | None = None
        self.done = Event()
        self.lead = False  # woken to lead the next batch rather than with a result

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommit:
    """One per worker process. `run(order, work)` runs `work(tx)` inside a
    committed transaction and returns its result; under gevent, together
    with the other writes queued at the same moment."""

    def __init__(self, cooperative: Callable[[], bool] = _cooperative, max_batch: int = MAX_BATCH):
        self._cooperative = cooperative
        self.max_batch = max_batch
        self._queue: list[_Pending] = []
        self._leading = False

    def run(self, order: tuple, work: Callable[[Tx], object], steps: Callable[[], list] | None = None,
            result=None):
        """`steps()`, when given, makes `work`'s statements for its common
        outcome, each with what it must do (Tx.all_at_once), and `result` is
        what `work` returns then: on PostgreSQL a batch whose writes all have
        them is sent in one round trip, and run again statement by statement
        when any expectation is not met."""
        if not self._cooperative():
            with transaction() as tx:
                return work(tx)
        pending = _Pending(order, work, steps, result)
        self._queue.append(pending)
        if self._leading:
            try:
                pending.done.wait()
            except BaseException:
                # Killed while queued: the write stays queued and is still
                # committed by a later batch; a lead handed to us is passed on.
                if pending.lead:
                    gevent.spawn(self._lead)
                raise
            if not pending.lead:
                return pending.outcome()
        else:
            self._leading = True
            try:
                gevent.sleep(0)  # the other greenlets that are ready queue their writes
            except BaseException:
                gevent.spawn(self._lead)
                raise
        self._lead()
        return pending.outcome()

    def _lead(self) -> None:
        """Commit the next batch, then hand the lead to the first write
        still queued (or give it up when none is)."""
        batch = self._queue[:self.max_batch]
        del self._queue[:self.max_batch]
        try:
            self._commit(batch)
        finally:
            for pending in batch:
                pending.done.set()
            if self._queue:
                following = self._queue[0]
                following.lead = True
                following.done.set()
            else:
                self._leading = False

    def _commit(self, batch: list[_Pending]) -> None:
        ordered = sorted(batch, key=lambda p: p.order)
        at_once = all(p.steps is not None for p in ordered)
        try:
            try:
                self._in_one(ordered, at_once)
            except _Unmet:  # rolled back: the same batch, statement by statement
                self._in_one(ordered, False)
            metrics.observe_batch(len(batch))
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].value, batch[0].error = None, exc
                return
        except BaseException as exc:  # the leader was killed mid-batch: nothing committed
            for pending in batch:
                pending.value, pending.error = None, exc
            raise
        for pending in ordered:  # one at a time: only the failing write fails
            pending.value = None
            try:
                with transaction() as tx:
                    pending.value = pending.work(tx)
            except Exception as exc:
                pending.error = exc

    @staticmethod
    def _in_one(ordered: list[_Pending], at_once: bool) -> None:
        with transaction() as tx:
            if at_once and tx.pipelined:
                if not tx.all_at_once([step for pending in ordered for step in pending.steps()]):
                    raise _Unmet()
                for pending in ordered:
                    pending.value = pending.result
                return
            for pending in ordered:
                pending.value = pending.work(tx)


writes = GroupCommit()

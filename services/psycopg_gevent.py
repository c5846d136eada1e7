"""psycopg's waits on gevent's own I/O watchers.

Under gevent's patched `select`, psycopg waits for its socket with
`select.poll()`, which gevent emulates by building a poll object, an I/O
watcher per descriptor, a result and a timeout on every call: about a sixth
of a worker's CPU on PostgreSQL went there (bench/profile.py --postgres).
This wait starts one watcher on the hub and sleeps until the socket is ready,
which is what gevent's own sockets do.

`install()` is called by wsgi.py right after gevent patches the standard
library; nothing else changes (the CLI and the test client keep psycopg's
own waits).
"""
from __future__ import annotations

from time import monotonic

import psycopg.waiting
from gevent import Timeout, get_hub
from gevent.monkey import get_original
from psycopg import errors

_READY_NONE = psycopg.waiting.READY_NONE
_R, _W = int(psycopg.waiting.WAIT_R), int(psycopg.waiting.WAIT_W)
_poll = get_original("select", "poll")
_POLLIN, _POLLOUT = get_original("select", "POLLIN"), get_original("select", "POLLOUT")


def _which(fileno: int) -> int:
    """Which of reading and writing is possible now (for a wait on both)."""
    poller = _poll()
    poller.register(fileno, _POLLIN | _POLLOUT)
    events = poller.poll(0)
    if not events:
        return _READY_NONE
    mask = events[0][1]
    return (_R if mask & _POLLIN else 0) | (_W if mask & _POLLOUT else 0) or (_R | _W)


def wait(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
    """psycopg's `wait` contract: drive `gen`, sending it what the socket is
    ready for, until it returns. `interval` (how often psycopg's own waits
    wake to notice Ctrl-C) has no use under gevent."""
    hub = get_hub()
    deadline = None if timeout is None else monotonic() + timeout
    try:
        state = int(next(gen))
        while True:
            watcher = hub.loop.io(fileno, state)
            try:
                if deadline is None:
                    hub.wait(watcher)
                else:
                    with Timeout(max(0.0, deadline - monotonic())):
                        hub.wait(watcher)
            except Timeout:
                raise errors._WaitTimeout("wait timeout expired") from None
            finally:
                watcher.close()
            state = int(gen.send(state if state != _R | _W else _which(fileno)))
    except StopIteration as stop:
        return stop.value


def install() -> None:
    psycopg.waiting.wait = wait

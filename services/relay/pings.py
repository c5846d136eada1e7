"""Keep-alive pings for a relayed stream: what the relay writes to its client
while the upstream is silent."""
from __future__ import annotations

import time

try:
    import gevent
    from gevent import monkey
    from gevent.queue import Queue
except ImportError:  # pragma: no cover - gevent is a hard dependency
    gevent = None

PING = object()


def with_pings(upstream, interval: float):
    """The upstream's events, with PING whenever it has been silent for
    `interval` seconds, so proxies between us and the client keep the
    stream open. A reader greenlet feeds a queue and one timer, re-armed
    only when it fires, puts PING there after a silence (not a timeout per
    event: that was a twentieth of a stream's CPU). Without gevent (or with
    interval 0) the events pass straight through."""
    if interval <= 0 or gevent is None or not monkey.is_module_patched("socket"):
        yield from upstream
        return
    queue = Queue()
    loop = gevent.get_hub().loop
    heard = time.monotonic()  # when the reader last handed over an event (or a ping went)
    timer = None

    def read():
        nonlocal heard
        try:
            for event in upstream:
                heard = time.monotonic()
                queue.put((True, event))
            queue.put((False, None))
        except BaseException as exc:  # handed to the relaying greenlet
            queue.put((False, exc))

    def arm(delay: float) -> None:
        nonlocal timer
        timer = loop.timer(max(delay, 0.001))
        timer.start(tick)

    def tick() -> None:  # in the hub: must not block
        nonlocal heard
        silent = time.monotonic() - heard
        if silent >= interval:
            heard = time.monotonic()
            queue.put_nowait((True, PING))
            arm(interval)
        else:
            arm(interval - silent)

    reader = gevent.spawn(read)
    arm(interval)
    try:
        while True:
            more, value = queue.get()
            if more:
                yield value
            elif value is None:
                return
            else:
                raise value
    finally:
        timer.close()
        # Wait for the reader to be out of its read: closing the response
        # while it is inside one raises "reentrant call" and skips the rest
        # of the cleanup. The caller aborts the upstream first, so the read
        # returns at once; the timeout only bounds a misbehaving one.
        reader.kill(block=True, timeout=READER_EXIT_SECONDS)


READER_EXIT_SECONDS = 2.0

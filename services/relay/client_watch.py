"""Noticing a client that hangs up mid-stream while the upstream is silent.

A write to a closed socket fails, but only at the next write; with a slow
upstream that can be many seconds of tokens nobody reads. Under gunicorn's
gevent worker we watch the client socket instead: a peer that closed makes it
readable with nothing to read (EOF), and we drop the upstream at once."""
from __future__ import annotations

import socket
from typing import Callable

try:
    import gevent
    from gevent.socket import wait_read
    from gevent import monkey
except ImportError:  # pragma: no cover - gevent is a hard dependency
    gevent = None


def watch_client(sock, on_gone: Callable[[], None]):
    """Spawn a watcher greenlet for `sock` (environ['gunicorn.socket']), or
    return None where that cannot work (no socket, not under gevent)."""
    if sock is None or gevent is None or not monkey.is_module_patched("socket"):
        return None
    return gevent.spawn(_watch, sock, on_gone)


def _watch(sock, on_gone: Callable[[], None]) -> None:
    while True:
        try:
            wait_read(sock.fileno())
            data = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            data = b""
        if not data:
            on_gone()
            return
        # The client sent bytes (a pipelined request): it is still there.
        # Look again later rather than spin on a readable socket.
        gevent.sleep(1.0)

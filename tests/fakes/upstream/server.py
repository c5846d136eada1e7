"""Serve the fake upstream with gevent.pywsgi (call ``main()`` after monkey-patching)."""
from __future__ import annotations

import argparse
import signal
import socket
import sys

import gevent
from gevent.event import Event
from gevent.pywsgi import WSGIHandler, WSGIServer

from .app import SOCKET_KEY, FakeUpstreamApp


class Handler(WSGIHandler):
    """Exposes the connection socket to the app (abort detection and ``die_after``);
    counts connections; closes a keep-alive connection idle for ``idle_timeout``."""

    idle_timeout: float | None = None
    drop_every: int = 0  # every Nth request on a kept-alive connection is met with a close
    _arrivals = 0        # requests that came on kept-alive connections (all handlers)

    def handle(self):
        self.served = 0
        stats = getattr(self.server.application, "stats", None)
        if stats is not None:
            stats["connections"] = stats.get("connections", 0) + 1
        # Without TCP_NODELAY, pywsgi's separate header/body (and per-event) writes stall
        # ~40 ms on Nagle + delayed ACK; real providers flush every SSE event at once.
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        return super().handle()

    def read_requestline(self):
        # Waiting for the next request on a kept-alive connection: a server
        # that drops idle ones (as most do) closes it after the timeout. The
        # first request is not held to it: a connection the client has just
        # opened is not idle (and a loaded client may take longer than the
        # idle timeout between connecting and sending).
        idle = self.idle_timeout if self.served else None
        if idle:
            self.socket.settimeout(idle)
        try:
            line = super().read_requestline()
        finally:
            if idle:
                self.socket.settimeout(None)
        self.served += 1
        if line and self.drop_every and self.served > 1 and b"/_control/" not in _bytes(line):
            Handler._arrivals += 1
            if Handler._arrivals % self.drop_every == 0:
                # The idle timer fired as the request arrived: close, answer nothing.
                return None
        return line

    def get_environ(self):
        env = super().get_environ()
        env[SOCKET_KEY] = self.socket
        return env


def _bytes(line) -> bytes:
    return line if isinstance(line, bytes) else str(line).encode("latin-1", "replace")


def _raise_fd_limit():
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = hard if hard != resource.RLIM_INFINITY else 65536
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ImportError, ValueError, OSError):
        pass


def make_server(host: str = "127.0.0.1", port: int = 0, app=None, access_log: bool = False,
                backlog: int = 4096, idle_timeout: float | None = None, drop_every: int = 0) -> WSGIServer:
    handler = type("ConfiguredHandler", (Handler,), {"idle_timeout": idle_timeout, "drop_every": drop_every})
    return WSGIServer((host, port), app or FakeUpstreamApp(), handler_class=handler, backlog=backlog,
                      log=sys.stderr if access_log else None, error_log=sys.stderr)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fakes.fake_upstream",
                                description="Fake OpenAI/Anthropic upstream for Tollgate tests and benchmarks.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--backlog", type=int, default=4096)
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")
    p.add_argument("--idle-timeout", type=float, default=None,
                   help="close keep-alive connections idle for this many seconds")
    p.add_argument("--drop-every", type=int, default=0,
                   help="close the connection, unanswered, on every Nth request that arrives on a "
                        "kept-alive one (a server whose idle timer fires just then)")
    args = p.parse_args(argv)

    _raise_fd_limit()
    server = make_server(args.host, args.port, access_log=args.access_log, backlog=args.backlog,
                         idle_timeout=args.idle_timeout, drop_every=args.drop_every)
    server.start()
    print(f"FAKE_UPSTREAM_PORT={server.server_port}", flush=True)

    stop = Event()
    handlers = [gevent.signal_handler(sig, stop.set) for sig in (signal.SIGTERM, signal.SIGINT)]
    try:
        stop.wait()
    finally:
        for h in handlers:
            h.cancel()
        server.stop(timeout=0.5)  # then idle keep-alive handlers are killed
    return 0

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
    """Exposes the connection socket to the app (abort detection and ``die_after``)."""

    def handle(self):
        # Without TCP_NODELAY, pywsgi's separate header/body (and per-event) writes stall
        # ~40 ms on Nagle + delayed ACK; real providers flush every SSE event at once.
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        return super().handle()

    def get_environ(self):
        env = super().get_environ()
        env[SOCKET_KEY] = self.socket
        return env


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
                backlog: int = 4096) -> WSGIServer:
    return WSGIServer((host, port), app or FakeUpstreamApp(), handler_class=Handler, backlog=backlog,
                      log=sys.stderr if access_log else None, error_log=sys.stderr)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fakes.fake_upstream",
                                description="Fake OpenAI/Anthropic upstream for Tollgate tests and benchmarks.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--backlog", type=int, default=4096)
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)

    _raise_fd_limit()
    server = make_server(args.host, args.port, access_log=args.access_log, backlog=args.backlog)
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

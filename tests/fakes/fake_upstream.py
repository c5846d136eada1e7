"""Entry point of the fake upstream LLM provider.

    python -m tests.fakes.fake_upstream --port 0 [--host 127.0.0.1]

Prints one line ``FAKE_UPSTREAM_PORT=<port>`` on stdout once listening, then serves
(gevent.pywsgi) until SIGTERM/SIGINT. The implementation lives in ``tests.fakes.upstream``;
the directive and control reference is in ``tests/fakes/upstream/README.md``.
"""
if __name__ == "__main__":  # patch only when run as the server process, never on import
    from gevent import monkey

    monkey.patch_all()

from tests.fakes.upstream import FakeUpstreamApp, main, make_server  # noqa: E402

__all__ = ["FakeUpstreamApp", "main", "make_server"]

if __name__ == "__main__":
    raise SystemExit(main())

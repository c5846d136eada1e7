"""Pooled upstream connections under load: one gunicorn gevent worker, an
upstream that keeps connections alive and streams chunked SSE whose
terminating chunk follows `[DONE]` as a late write of its own, and 32
clients mixing streams and plain calls. Nothing fails, the breaker books
nothing, and connections are reused. Then the same with an upstream that
closes idle keep-alive connections quickly: a request that meets a
connection the upstream has just closed is sent again on a fresh one."""
from __future__ import annotations

import random
import threading
import time

import pytest
import redis
import requests

from tests.fakes.upstream_client import FakeUpstream
from tests.support.databases import REDIS_URL, redis_unavailable
from tests.support.stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.redis]

CLIENTS = 32
SECONDS = 5.0
MODEL = "pooled-model"


def _upstream(**args) -> FakeUpstream:
    extra = [f"--{k.replace('_', '-')}={v}" for k, v in args.items()]
    fake = FakeUpstream(extra_args=extra).start()
    # Twenty chunks as fast as they come, and the body's end 20 ms after [DONE].
    fake.configure(chunks=20, tail_delay=0.02)
    return fake


@pytest.fixture(scope="module")
def breaker_redis():
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    client = redis.Redis.from_url(REDIS_URL)
    yield client


def _stack(db_url: str, upstream: FakeUpstream, name: str) -> tuple[Stack, int]:
    # Breakers in Redis, so the test can read what the worker booked.
    stack = Stack(db_url, workers=1, name=name,
                  env={"REDIS_URL": REDIS_URL, "BREAKER_ENABLED": "1", "BREAKER_FAILURES": "5"})
    stack.set_model(MODEL, max_output_tokens=100, input_price=1_000_000, output_price=1_000_000)
    channel_id = stack.add_channel(name, upstream.base_url_v1, [MODEL])
    return stack, channel_id


def _load(stack: Stack, key: str, *, pause: tuple[float, float] = (0.0, 0.0)) -> dict:
    """CLIENTS threads, each on its own keep-alive session, alternating
    streams and plain calls for SECONDS; returns the counts."""
    counts = {"ok": 0, "errors": []}
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client(n: int) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {key}"}
        rng = random.Random(n)
        i = 0
        while time.monotonic() < deadline:
            stream = (n + i) % 2 == 0
            i += 1
            body = {"model": MODEL, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
            try:
                with session.post(stack.url + "/v1/chat/completions", json=body, headers=headers,
                                  stream=stream, timeout=30) as r:
                    text = r.text
                    good = r.status_code == 200 and (not stream or "data: [DONE]" in text)
            except requests.RequestException as exc:
                good, text = False, repr(exc)
            with lock:
                if good:
                    counts["ok"] += 1
                else:
                    counts["errors"].append(text[:300])
            if pause[1]:
                time.sleep(rng.uniform(*pause))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return counts


def _breaker_booked(client: redis.Redis, channel_id: int) -> list[bytes]:
    return sorted(client.keys(f"tg:br:{channel_id}:*"))


def test_streams_and_calls_share_kept_alive_connections(sqlite_databases, breaker_redis):
    upstream = _upstream()
    stack, channel_id = _stack(sqlite_databases.new(), upstream, "pooled")
    try:
        key, _, account = stack.new_key(10**12, rpm=1_000_000)
        counts = _load(stack, key)
        stats = upstream.stats()
        assert counts["errors"] == [], counts["errors"][:3]
        assert counts["ok"] > 200  # the load was real
        assert _breaker_booked(breaker_redis, channel_id) == []
        # Every answer ended cleanly, and connections carried many requests each.
        assert stats["completed"] >= counts["ok"]
        assert stats["connections"] * 4 < stats["calls"], stats
        assert stack.verify() == []
        assert "Traceback" not in stack.server.log_text()
    finally:
        stack.stop()
        upstream.stop()


def test_connections_the_upstream_closed_while_idle_are_replaced_unseen(sqlite_databases, breaker_redis):
    # The upstream drops a connection idle for 50 ms (clients pause up to
    # 100 ms between calls, so pooled connections keep going stale under
    # load), and one request in 25 on a reused connection meets the race of
    # that timer: the connection closes as the request arrives, unanswered.
    upstream = _upstream(idle_timeout=0.05, drop_every=25)
    stack, channel_id = _stack(sqlite_databases.new(), upstream, "stale")
    try:
        key, _, _ = stack.new_key(10**12, rpm=1_000_000)
        counts = _load(stack, key, pause=(0.0, 0.1))
        stats = upstream.stats()
        why = [line for line in stack.server.log_text().splitlines() if "channel stale" in line]
        assert counts["errors"] == [], (counts["errors"][:3], why[:3])
        assert counts["ok"] > 100
        assert _breaker_booked(breaker_redis, channel_id) == []
        assert stats["connections"] > 32  # the upstream did close idle connections
        assert stats["calls"] >= counts["ok"]
        assert stack.verify() == []
    finally:
        stack.stop()
        upstream.stop()

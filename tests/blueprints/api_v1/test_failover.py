"""Failover across channels on three fake upstreams: a retry happens only
while nothing has reached the client, and never for the client's own errors."""
from __future__ import annotations

import time

import pytest

from tests.blueprints.api_v1.resilience_support import chat, dead_url, new_route
from tests.fakes.upstream_client import FakeUpstream, directive
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def fakes(fake_upstream):
    second, third = FakeUpstream().start(), FakeUpstream().start()
    yield fake_upstream, second, third
    second.stop()
    third.stop()


@pytest.fixture
def trio(fakes):
    for fake in fakes:
        fake.reset()
    return fakes


@pytest.fixture(scope="module")
def fstack(sqlite_databases, fakes):
    stack = Stack(sqlite_databases.new(), name="failover",
                  env={"BREAKER_ENABLED": "1", "BREAKER_FAILURES": "3", "BREAKER_COOLDOWN_SECONDS": "1"})
    yield stack
    stack.stop()


@pytest.fixture
def key(fstack):
    raw, _, account = fstack.new_key(10**12)
    return raw, account


def calls(fake) -> int:
    return fake.stats()["calls"]


def test_refused_connection_fails_over(fstack, trio, key):
    a, b, _ = trio
    model = new_route(fstack, [{"base_url": dead_url(), "priority": 10}, {"base_url": b.base_url_v1, "priority": 5}])
    response = chat(fstack, key[0], model, directive(reply="from b"))
    assert response.status_code == 200 and response.json()["choices"][0]["message"]["content"] == "from b"
    assert calls(b) == 1


def test_upstream_500_fails_over(fstack, trio, key):
    a, b, _ = trio
    a.configure(status=500)
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10}, {"base_url": b.base_url_v1, "priority": 5}])
    response = chat(fstack, key[0], model)
    assert response.status_code == 200
    assert (calls(a), calls(b)) == (1, 1)
    log = fstack.logs(key[1])[-1]
    assert log.status == 200 and log.credits > 0


def test_429_fails_over_and_backs_off_for_retry_after(fstack, trio, key):
    a, b, _ = trio
    a.configure(status=429, retry_after=30)
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10}, {"base_url": b.base_url_v1, "priority": 5}])
    for _ in range(3):
        assert chat(fstack, key[0], model).status_code == 200
    assert calls(a) == 1  # skipped while its Retry-After runs
    assert calls(b) == 3


def test_hang_past_the_first_byte_timeout_fails_over(fstack, trio, key):
    a, b, _ = trio
    a.configure(first_byte_delay=20)
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10, "timeouts": (None, 0.5, None)},
                               {"base_url": b.base_url_v1, "priority": 5}])
    started = time.monotonic()
    response = chat(fstack, key[0], model, stream=True)
    assert response.status_code == 200 and b"[DONE]" in response.content
    assert time.monotonic() - started < 5
    assert calls(b) == 1


def test_a_stream_dying_after_its_first_byte_is_not_retried(fstack, trio, key):
    a, b, _ = trio
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10}, {"base_url": b.base_url_v1, "priority": 5}])
    response = chat(fstack, key[0], model, directive(reply="one two three four five", chunks=5, die_after=2),
                    stream=True)
    body = response.content.decode()
    assert '"provider_error"' in body and "one" in body
    assert calls(b) == 0
    log = fstack.logs(key[1])[-1]
    assert log.status == 502 and log.credits > 0 and log.estimated
    assert fstack.verify() == []


def test_idle_timeout_mid_stream_ends_it_with_an_error(fstack, trio, key):
    a, b, _ = trio
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10, "timeouts": (None, None, 0.5)},
                               {"base_url": b.base_url_v1, "priority": 5}])
    response = chat(fstack, key[0], model, directive(reply="slow words here", chunks=3, delay=3), stream=True)
    assert '"provider_error"' in response.content.decode()
    assert calls(b) == 0


@pytest.mark.parametrize("status", [400, 413])
def test_client_errors_are_not_retried(fstack, trio, key, status):
    a, b, _ = trio
    a.configure(status=status, error_message="bad parameter")
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10}, {"base_url": b.base_url_v1, "priority": 5}])
    assert chat(fstack, key[0], model).status_code == status
    assert calls(b) == 0


def test_when_every_channel_fails_the_client_gets_the_last_error(fstack, trio, key):
    a, b, c = trio
    for fake in trio:
        fake.configure(status=502, error_message="upstream broke at 10.1.2.3")
    model = new_route(fstack, [{"base_url": f.base_url_v1, "priority": p} for f, p in zip(trio, (3, 2, 1))])
    response = chat(fstack, key[0], model)
    assert response.status_code == 502 and response.json()["error"]["code"] == "provider_error"
    assert "10.1.2.3" not in response.text
    assert [calls(f) for f in trio] == [1, 1, 1]
    assert fstack.balance(key[1]) == 10**12  # nothing reached the client: nothing charged


def test_breaker_opens_after_failures_then_a_probe_closes_it(fstack, trio, key):
    a, b, _ = trio
    a.configure(status=503)
    model = new_route(fstack, [{"base_url": a.base_url_v1, "priority": 10}, {"base_url": b.base_url_v1, "priority": 5}])
    for _ in range(6):
        assert chat(fstack, key[0], model).status_code == 200
    assert calls(a) == 3  # BREAKER_FAILURES, then skipped
    a.reset()  # healthy again
    time.sleep(1.2)  # the cool-down
    assert chat(fstack, key[0], model).status_code == 200  # the half-open probe
    assert calls(a) == 1
    for _ in range(3):
        chat(fstack, key[0], model)
    assert calls(a) == 4  # closed: the higher priority serves again

"""The circuit breaker's state is shared by 4 gunicorn workers through
Redis: it opens after BREAKER_FAILURES failures in all, lets one probe
through when the cool-down ends, and closes on its success."""
from __future__ import annotations

import time

import pytest
import redis

from tests.blueprints.api_v1.resilience_support import chat, new_route
from tests.fakes.upstream_client import FakeUpstream
from tests.support.databases import REDIS_URL, redis_unavailable
from tests.support.stack import Stack

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def rstack(sqlite_databases, fake_upstream):
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    redis.Redis.from_url(REDIS_URL).flushdb()
    backup = FakeUpstream().start()
    stack = Stack(sqlite_databases.new(), workers=4, name="breaker-redis",
                  env={"REDIS_URL": REDIS_URL, "BREAKER_ENABLED": "1", "BREAKER_FAILURES": "3",
                       "BREAKER_COOLDOWN_SECONDS": "2"})
    stack.backup = backup
    yield stack
    stack.stop()
    backup.stop()


def test_breaker_state_is_shared_by_every_worker(rstack, upstream):
    flaky, backup = upstream, rstack.backup
    backup.reset()
    flaky.configure(status=500)
    model = new_route(rstack, [{"base_url": flaky.base_url_v1, "priority": 10},
                               {"base_url": backup.base_url_v1, "priority": 5}])
    key, _, _ = rstack.new_key(10**12)
    # A new connection per request spreads them over the 4 workers.
    for _ in range(16):
        assert chat(rstack, key, model, Connection="close").status_code == 200
    assert flaky.stats()["calls"] == 3  # not 3 per worker: the count is shared
    assert backup.stats()["calls"] == 16
    state = redis.Redis.from_url(REDIS_URL).keys("tg:br:*")
    assert state

    flaky.reset()  # healthy again
    time.sleep(2.3)
    statuses = [chat(rstack, key, model, Connection="close").status_code for _ in range(8)]
    assert statuses == [200] * 8
    # One probe, then closed: the higher-priority channel serves every request.
    assert flaky.stats()["calls"] == 8
    assert backup.stats()["calls"] == 16

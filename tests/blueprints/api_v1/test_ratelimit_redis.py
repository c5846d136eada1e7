"""With REDIS_URL set, the per-key limit holds across gunicorn workers."""
from __future__ import annotations

import pytest
import redis
import requests

from tests.blueprints.api_v1.conftest import seed
from tests.support.databases import REDIS_URL, redis_unavailable
from tests.support.stack import Stack

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def redis_stack(sqlite_databases, fake_upstream):
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    redis.Redis.from_url(REDIS_URL).flushdb()
    stack = Stack(sqlite_databases.new(), workers=3, env={"REDIS_URL": REDIS_URL}, name="redis-limits")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def test_key_limit_is_shared_by_all_workers(redis_stack):
    raw, _, _ = redis_stack.new_key(10_000_000, rpm=12)
    statuses = []
    for _ in range(20):  # a fresh connection each time spreads requests over the workers
        statuses.append(requests.get(redis_stack.url + "/v1/models", timeout=10,
                                     headers={"Authorization": f"Bearer {raw}", "Connection": "close"}).status_code)
    assert statuses.count(200) == 12
    assert statuses[12:] == [429] * 8
    assert redis.Redis.from_url(REDIS_URL).keys("LIMITS*")  # the counters live in Redis

"""Per-key concurrency and tokens per minute, and the message-count limit."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.blueprints.api_v1.resilience_support import chat, new_route
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def lstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="limits", env={"MAX_MESSAGES": "5"})
    stack.model = new_route(stack, [{"base_url": fake_upstream.base_url_v1}])
    yield stack
    stack.stop()


def test_concurrency_limit_refuses_the_request_beyond_it(lstack, upstream):
    key, _, account = lstack.new_key(10**12, max_concurrency=2)
    slow = directive(first_byte_delay=1.0)
    with ThreadPoolExecutor(3) as pool:
        statuses = sorted(pool.map(lambda _: chat(lstack, key, lstack.model, slow).status_code, range(3)))
    assert statuses == [200, 200, 429]
    # The slots come back: the next request is served.
    assert chat(lstack, key, lstack.model).status_code == 200
    assert lstack.verify() == []


def test_tokens_per_minute_limit(lstack, upstream):
    key, _, _ = lstack.new_key(10**12, tpm=100)
    usage = {"prompt_tokens": 70, "completion_tokens": 40}
    assert chat(lstack, key, lstack.model, directive(usage=usage)).status_code == 200
    refused = chat(lstack, key, lstack.model)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert refused.headers["Retry-After"] == "60"
    assert upstream.stats()["calls"] == 1


def test_too_many_messages_is_refused(lstack, upstream):
    key, _, _ = lstack.new_key(10**12)
    import requests

    body = {"model": lstack.model, "messages": [{"role": "user", "content": "x"}] * 6}
    response = requests.post(lstack.url + "/v1/chat/completions", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
    assert upstream.stats()["calls"] == 0

"""The per-key rate limit, counted once per request by api_view (not by
flask-limiter's decorator), and the API paths without a cookie session: over
real HTTP, in each door's error shape, with flask-limiter's headers."""
from __future__ import annotations

import pytest
import requests

from tests.blueprints.api_v1.conftest import seed
from tests.support.stack import Stack



@pytest.fixture(scope="module")
def rstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="rate-once", env={"UNAUTHENTICATED_RPM": "3"})
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def models(stack, raw, path="/v1/models", **headers):
    return requests.get(stack.url + path, headers={"Authorization": f"Bearer {raw}", **headers}, timeout=10)


def test_each_request_counts_once(rstack):
    raw, _, _ = rstack.new_key(1_000, rpm=5)
    remaining = [models(rstack, raw).headers["x-ratelimit-remaining"] for _ in range(5)]
    assert remaining == ["4", "3", "2", "1", "0"]
    refused = models(rstack, raw, "/api/v1/models")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert refused.headers["x-ratelimit-limit"] == "5" and refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert "5 per 1 minute" in refused.json()["error"]["message"]


def test_the_daily_limit_refuses_with_its_own_headers(rstack):
    raw, _, _ = rstack.new_key(1_000, rpm=100, rpd=2)
    first = models(rstack, raw)
    assert first.headers["x-ratelimit-limit"] == "100"  # the shortest window while none refuses
    assert "Retry-After" not in first.headers
    models(rstack, raw)
    refused = models(rstack, raw)
    assert refused.status_code == 429 and refused.headers["x-ratelimit-limit"] == "2"
    assert int(refused.headers["Retry-After"]) > 60


def test_the_refusal_is_in_the_doors_shape(rstack):
    raw, _, _ = rstack.new_key(1_000_000, rpm=1)
    body = {"model": "fake-model", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    post = lambda: requests.post(rstack.url + "/v1/messages", json=body, timeout=10,  # noqa: E731
                                 headers={"x-api-key": raw, "anthropic-version": "2023-06-01"})
    assert post().status_code == 200
    refused = post()
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.json()["type"] == "error" and set(refused.json()) == {"type", "error"}


def test_without_a_valid_key_the_client_ip_is_limited(rstack):
    statuses = [models(rstack, "sk-not-a-key").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_api_paths_have_no_cookie_session(rstack):
    raw, _, _ = rstack.new_key(1_000, rpm=100)
    cookies = {"__Host-tollgate": "not-a-signed-session", "session": "not-a-signed-session"}
    response = requests.get(rstack.url + "/v1/models", cookies=cookies, timeout=10,
                            headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    # The foreign-Origin guard protects cookie sessions; a key-authenticated
    # call that happens to carry the cookie is not refused for it.
    posted = requests.post(rstack.url + "/v1/chat/completions", cookies=cookies, timeout=10,
                           headers={"Authorization": f"Bearer {raw}", "Origin": "https://elsewhere.example"},
                           json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]})
    assert posted.status_code == 200, posted.text
    # The site itself still has its session (its sign-in form's CSRF token
    # lives there) and refuses a post without the token.
    form = requests.get(rstack.url + "/signin", timeout=10)
    assert form.status_code == 200 and "Set-Cookie" in form.headers
    refused = requests.post(rstack.url + "/signin", cookies=form.cookies, timeout=10, data={"email": "a@b.c"})
    assert refused.status_code in (400, 403)

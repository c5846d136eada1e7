"""Every error code from real HTTP requests, in OpenAI's shape, and nothing
charged for a request that failed before the upstream answered."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import update

from extensions import db
from models import Account
from models.base import utcnow
from services.identity.keys import disable_key
from tests.fakes.upstream_client import directive
from tests.support.servers import free_port

UPSTREAM_KEY = "sk-upstream-secret-0123456789"


@pytest.fixture
def key(stack):
    raw, key_id, account_id = stack.new_key(1_000_000)
    return raw, key_id, account_id


def post(stack, raw, body=None, *, data=None, path="/v1/chat/completions", headers=None):
    h = {"Authorization": f"Bearer {raw}"} if raw else {}
    h.update(headers or {})
    if data is not None:
        return requests.post(stack.url + path, data=data, headers={**h, "Content-Type": "application/json"}, timeout=30)
    return requests.post(stack.url + path, json=body, headers=h, timeout=30)


def chat(model="fake-model", text="hi", **extra):
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code and body["error"]["type"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert response.headers["x-request-id"].startswith("req_")


def test_missing_malformed_unknown_disabled_expired_keys_get_the_same_401(stack):
    raw_disabled, disabled_id, _ = stack.new_key(100)
    with stack.app.app_context():
        disable_key(disabled_id)
    raw_expired, _, _ = stack.new_key(100, expires_at=utcnow() - timedelta(seconds=1))
    bodies = []
    for raw in (None, "not-a-key", "sk-" + "x" * 43, raw_disabled, raw_expired,
                "Bearer x' OR (SELECT pg_sleep(8))--"):
        response = post(stack, raw, chat())
        assert_error(response, 401, "invalid_api_key")
        bodies.append(response.json())
    assert all(b == bodies[0] for b in bodies)


def test_x_api_key_header_is_accepted(stack, key):
    response = requests.post(stack.url + "/v1/chat/completions", json=chat(),
                             headers={"x-api-key": key[0]}, timeout=30)
    assert response.status_code == 200


def test_suspended_account_gets_api_disabled(stack):
    raw, _, account_id = stack.new_key(100)
    with stack.app.app_context():
        db.session.execute(update(Account).where(Account.id == account_id).values(status="suspended"))
        db.session.commit()
    assert_error(post(stack, raw, chat()), 401, "api_disabled")


@pytest.mark.parametrize("body, code", [
    ({"messages": [{"role": "user", "content": "hi"}]}, "model_required"),
    ({"model": "", "messages": [{"role": "user", "content": "hi"}]}, "model_required"),
    ({"model": "fake-model"}, "messages_required"),
    ({"model": "fake-model", "messages": []}, "messages_required"),
    ({"model": "fake-model", "messages": "hi"}, "messages_required"),
    (chat(max_tokens=-5), "invalid_request"),
    (chat(stream="yes"), "invalid_request"),
    (chat(api_base="http://169.254.169.254/"), "invalid_request"),
    (chat(base_url="http://127.0.0.1:1/"), "invalid_request"),
    ([1, 2, 3], "invalid_request"),
])
def test_bad_bodies_get_400(stack, upstream, key, body, code):
    assert_error(post(stack, key[0], body), 400, code)
    assert upstream.stats()["calls"] == 0


def test_invalid_json_gets_400(stack, key):
    assert_error(post(stack, key[0], data=b"{not json"), 400, "invalid_request")


@pytest.mark.parametrize("model", ["no-such-model", "hidden-model"])
def test_unknown_or_private_model_gets_404(stack, key, model):
    assert_error(post(stack, key[0], chat(model=model)), 404, "model_not_available")


def test_model_outside_the_key_allow_list_gets_404(stack):
    raw, _, _ = stack.new_key(100_000, allowed_models=["flat-model"])
    assert_error(post(stack, raw, chat(model="fake-model")), 404, "model_not_available")


def test_model_without_a_channel_gets_503(stack, key):
    assert_error(post(stack, key[0], chat(model="orphan-model")), 503, "provider_not_configured")


def test_empty_balance_gets_402_naming_the_numbers_and_no_upstream_call(stack, upstream):
    raw, _, account_id = stack.new_key(0)
    response = post(stack, raw, chat())
    assert_error(response, 402, "insufficient_credits")
    assert "balance is 0" in response.json()["error"]["message"]
    assert upstream.stats()["calls"] == 0
    assert stack.logs(account_id)[0].status == 402


def test_spend_cap_gets_402(stack, upstream):
    raw, _, _ = stack.new_key(1_000_000, spend_cap=10)
    response = post(stack, raw, chat())
    assert_error(response, 402, "insufficient_credits")
    assert "spend cap" in response.json()["error"]["message"]


def test_rate_limit_gets_429_with_retry_after_and_headers(stack):
    raw, _, _ = stack.new_key(1_000_000, rpm=2)
    first = post(stack, raw, chat())
    assert first.headers["x-ratelimit-limit"] == "2"
    assert first.headers["x-ratelimit-remaining"] == "1"
    assert int(first.headers["x-ratelimit-reset"]) > 0
    assert "Retry-After" not in first.headers
    post(stack, raw, chat())
    third = post(stack, raw, chat())
    assert_error(third, 429, "rate_limited")
    assert int(third.headers["Retry-After"]) >= 1
    # The same budget covers /api/v1 and every route.
    assert_error(requests.get(stack.url + "/api/v1/models", headers={"x-api-key": raw}, timeout=10),
                 429, "rate_limited")


def test_oversized_body_gets_413_before_parsing(stack, key):
    huge = b'{"model": "fake-model", "messages": [{"role": "user", "content": "' + b"x" * (9 * 1024 * 1024) + b'"}]}'
    assert_error(post(stack, key[0], data=huge), 413, "request_too_large")


def test_upstream_500_gets_502_and_costs_nothing(stack, upstream, key):
    raw, _, account_id = key
    response = post(stack, raw, chat(text=directive(status=500, error_message="boom at /srv/x.py")))
    assert_error(response, 502, "provider_error")
    assert stack.balance(account_id) == 1_000_000
    assert stack.logs(account_id)[-1].status == 502
    assert stack.verify() == []


def test_upstream_400_is_the_clients_fault_and_passes_sanitised(stack, upstream, key):
    text = directive(status=400, error_message="max_tokens is too large for this model")
    response = post(stack, key[0], chat(text=text))
    assert_error(response, 400, "invalid_request")
    assert "max_tokens is too large" in response.json()["error"]["message"]


def test_upstream_429_passes_as_429_with_retry_after(stack, upstream, key):
    response = post(stack, key[0], chat(text=directive(status=429, retry_after=7)))
    assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "7"


def test_upstream_401_never_leaks_the_upstream_key_and_disables_the_channel(stack, upstream, key, fake_upstream):
    # Its own model and channel: a refused channel key takes the channel out of service.
    stack.set_model("auth-model", max_output_tokens=10, input_price=1, output_price=1)
    channel_id = stack.add_channel("auth-fake", fake_upstream.base_url_v1, ["auth-model"])
    message = f"Incorrect API key provided: {UPSTREAM_KEY}. See https://platform.example.com/keys"
    response = post(stack, key[0], chat(model="auth-model", text=directive(status=401, error_message=message)))
    assert_error(response, 502, "provider_error")
    assert "sk-upstream" not in response.text and "https://" not in response.text
    with stack.app.app_context():
        from models import Channel

        channel = db.session.get(Channel, channel_id)
        assert channel.enabled is False and "401" in channel.disabled_reason
    assert_error(post(stack, key[0], chat(model="auth-model")), 503, "provider_not_configured")


def test_unreachable_upstream_gets_502(stack, key):
    port = free_port()  # nothing listens there
    stack.set_model("dead-model", max_output_tokens=10, input_price=1, output_price=1)
    stack.add_channel("dead", f"http://127.0.0.1:{port}/v1", ["dead-model"])
    raw, _, account_id = key
    response = post(stack, raw, chat(model="dead-model"))
    assert_error(response, 502, "provider_error")
    assert str(port) not in response.text
    assert stack.balance(account_id) == 1_000_000


def test_upstream_error_on_a_stream_request_is_a_json_error(stack, upstream, key):
    response = post(stack, key[0], chat(stream=True, text=directive(status=500)))
    assert_error(response, 502, "provider_error")


def test_overloaded_upstream_gets_503(stack, upstream, key):
    response = post(stack, key[0], chat(text=directive(status=503, retry_after=4)))
    assert_error(response, 503, "provider_error")
    assert response.headers["Retry-After"] == "4"


def test_unknown_v1_route_gets_openai_shaped_404(stack, key):
    response = requests.get(stack.url + "/v1/nothing-here", headers={"x-api-key": key[0]}, timeout=10)
    assert response.status_code == 404 and "error" in response.json()

"""Billing exactness on SQLite and PostgreSQL: reserve, settle, estimate,
lowering max_tokens, and the balance endpoints."""
from __future__ import annotations

import pytest
import requests

from tests.blueprints.api_v1.conftest import PRICED, seed
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def money(databases, fake_upstream):
    stack = Stack(databases.new(), name=f"money-{databases.kind}")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def chat(stack, raw, text="hi", **extra):
    body = {"model": "fake-model", "messages": [{"role": "user", "content": text}], **extra}
    return requests.post(stack.url + "/v1/chat/completions", json=body,
                         headers={"Authorization": f"Bearer {raw}"}, timeout=30)


def cost(prompt, completion):
    micro = prompt * PRICED["input_price"] + completion * PRICED["output_price"]
    return -(-micro // 1_000_000) + PRICED["request_price"]


def test_each_request_books_reserve_release_charge(money, upstream):
    raw, _, account = money.new_key(1_000_000)
    response = chat(money, raw, directive(usage={"prompt_tokens": 11, "completion_tokens": 6}))
    assert response.status_code == 200
    kinds = [(e.kind, e.amount) for e in money.entries(account)]
    hold = -kinds[1][1]
    assert kinds == [("adjust", 1_000_000), ("reserve", -hold), ("release", hold), ("charge", -cost(11, 6))]
    assert money.balance(account) == 1_000_000 - cost(11, 6)
    assert money.verify() == []


def test_no_usage_from_upstream_bills_an_estimate_marked_estimated(money, upstream):
    raw, _, account = money.new_key(1_000_000)
    text = "please answer " + directive(usage=False, reply="one two three four", chunks=4)
    response = requests.post(money.url + "/v1/chat/completions", stream=True, timeout=30,
                             headers={"Authorization": f"Bearer {raw}"},
                             json={"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": text}]})
    body = response.content.decode()
    assert body.endswith("data: [DONE]\n\n")
    [log] = money.logs(account)
    assert log.estimated is True and log.status == 200
    assert log.prompt_tokens > 0 and log.completion_tokens > 0
    assert log.credits == cost(log.prompt_tokens, log.completion_tokens)
    assert money.balance(account) == 1_000_000 - log.credits


def test_short_balance_lowers_max_tokens_and_says_so(money, upstream):
    # Enough for the prompt and ~200 output tokens, not for the model's cap of 1000.
    raw, _, account = money.new_key(1100)
    response = chat(money, raw, directive(usage={"prompt_tokens": 5, "completion_tokens": 20}))
    assert response.status_code == 200, response.text
    lowered = int(response.headers["x-tollgate-max-tokens"])
    assert 64 <= lowered < 1000
    assert upstream.last_request()["body"]["max_tokens"] == lowered
    assert money.balance(account) == 1100 - cost(5, 20)
    assert money.verify() == []


def test_balance_too_short_for_a_useful_answer_is_refused(money, upstream):
    raw, _, account = money.new_key(200)
    response = chat(money, raw)
    assert response.status_code == 402
    message = response.json()["error"]["message"]
    assert "balance is 200" in message and "credits" in message
    assert upstream.stats()["calls"] == 0
    assert money.balance(account) == 200


def test_clients_max_tokens_is_clamped_to_the_model_cap(money, upstream):
    raw, _, _ = money.new_key(10_000_000)
    assert chat(money, raw, max_tokens=50_000).status_code == 200
    assert upstream.last_request()["body"]["max_tokens"] == 1000


def test_balance_and_billing_endpoints_agree(money, upstream):
    raw, _, account = money.new_key(100_000_000)
    chat(money, raw, directive(usage={"prompt_tokens": 100, "completion_tokens": 50}))
    spent = cost(100, 50)
    headers = {"Authorization": f"Bearer {raw}"}
    for prefix in ("/v1", "/api/v1"):
        balance = requests.get(money.url + prefix + "/balance", headers=headers, timeout=10).json()
        assert balance["balance"] == 100_000_000 - spent and balance["key"]["spent"] == spent
        sub = requests.get(money.url + prefix + "/dashboard/billing/subscription", headers=headers, timeout=10).json()
        usage = requests.get(money.url + prefix + "/dashboard/billing/usage", headers=headers, timeout=10).json()
        unit = sub["credits_per_unit"]
        assert sub["hard_limit_usd"] == pytest.approx(100_000_000 / unit)
        # What chat front-ends show: hard limit minus usage (in hundredths).
        assert sub["hard_limit_usd"] - usage["total_usage"] / 100 == pytest.approx((100_000_000 - spent) / unit)


def test_upstream_dying_mid_stream_bills_what_was_relayed(money, upstream):
    raw, _, account = money.new_key(1_000_000)
    text = directive(reply=" ".join(["word"] * 12), chunks=12, die_after=4)
    response = requests.post(money.url + "/v1/chat/completions", stream=True, timeout=30,
                             headers={"Authorization": f"Bearer {raw}"},
                             json={"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": text}]})
    body = response.content.decode()
    assert '"provider_error"' in body  # an error event, not a silent cut
    [log] = money.logs(account)
    assert log.status == 502 and log.estimated is True
    assert 0 < log.credits < cost(2000, 1000)
    assert money.balance(account) == 1_000_000 - log.credits
    assert upstream.stats()["calls"] == 1  # never retried after the first byte
    assert money.verify() == []

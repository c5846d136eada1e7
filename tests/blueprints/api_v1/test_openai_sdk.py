"""The official openai SDK against Tollgate (gunicorn + gevent) and the fake
upstream: answers arrive intact and cost exactly prices x usage."""
from __future__ import annotations

import json

import pytest
from openai import OpenAI

from tests.blueprints.api_v1.conftest import PRICED
from tests.fakes.upstream_client import directive


def exact_cost(prompt: int, completion: int) -> int:
    micro = prompt * PRICED["input_price"] + completion * PRICED["output_price"]
    return -(-micro // 1_000_000) + PRICED["request_price"]


@pytest.fixture
def client_for(stack):
    def make(credits: int = 10_000_000, **key_options):
        raw, key_id, account_id = stack.new_key(credits, **key_options)
        client = OpenAI(api_key=raw, base_url=stack.base_url, max_retries=0, timeout=30)
        return client, account_id
    return make


def test_create_answers_and_charges_exactly(stack, upstream, client_for):
    client, account = client_for()
    text = "hello " + directive(reply="Bonjour tout le monde", usage={"prompt_tokens": 17, "completion_tokens": 4})
    reply = client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": text}])
    assert reply.choices[0].message.content == "Bonjour tout le monde"
    assert reply.usage.prompt_tokens == 17 and reply.usage.completion_tokens == 4
    assert reply.usage.model_extra["credits"] == exact_cost(17, 4)
    assert stack.balance(account) == 10_000_000 - exact_cost(17, 4)
    [log] = stack.logs(account)
    assert (log.status, log.prompt_tokens, log.completion_tokens, log.credits, log.estimated) == \
        (200, 17, 4, exact_cost(17, 4), False)
    assert stack.verify() == []


def test_stream_without_include_usage_hides_the_usage_chunk_but_bills_it(stack, upstream, client_for):
    client, account = client_for()
    text = directive(reply="one two three four five", chunks=5, usage={"prompt_tokens": 9, "completion_tokens": 5})
    chunks = list(client.chat.completions.create(
        model="fake-model", stream=True, messages=[{"role": "user", "content": text}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "one two three four five"
    assert all(c.usage is None for c in chunks)
    assert upstream.last_request()["body"]["stream_options"] == {"include_usage": True}
    assert stack.balance(account) == 10_000_000 - exact_cost(9, 5)


def test_stream_with_include_usage_carries_credits_in_the_last_chunk(stack, upstream, client_for):
    client, account = client_for()
    text = directive(reply="a b c", usage={"prompt_tokens": 30, "completion_tokens": 3})
    chunks = list(client.chat.completions.create(
        model="fake-model", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": text}]))
    last = chunks[-1]
    assert last.choices == [] and last.usage.completion_tokens == 3
    assert last.usage.model_extra["credits"] == exact_cost(30, 3)
    assert stack.balance(account) == 10_000_000 - exact_cost(30, 3)


def test_stream_chunks_are_relayed_one_for_one(stack, upstream, client_for):
    client, _ = client_for()
    text = directive(reply=" ".join(f"w{i}" for i in range(20)), chunks=20)
    chunks = list(client.chat.completions.create(
        model="fake-model", stream=True, messages=[{"role": "user", "content": text}]))
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) == 20


def test_tool_call_arguments_split_over_chunks_reassemble(stack, upstream, client_for):
    client, account = client_for()
    args = {"city": "Paris", "unit": "celsius", "days": 3}
    text = directive(reply="", tools=[{"name": "get_weather", "arguments": args},
                                      {"name": "get_time", "arguments": {"tz": "Europe/Paris"}}], arg_chunks=4)
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
             {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}]
    calls: dict[int, dict] = {}
    finish = None
    for chunk in client.chat.completions.create(model="fake-model", stream=True, tools=tools,
                                                messages=[{"role": "user", "content": text}]):
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for call in choice.delta.tool_calls or []:
                slot = calls.setdefault(call.index, {"name": "", "arguments": ""})
                slot["name"] += call.function.name or ""
                slot["arguments"] += call.function.arguments or ""
    assert finish == "tool_calls"
    assert calls[0]["name"] == "get_weather" and json.loads(calls[0]["arguments"]) == args
    assert json.loads(calls[1]["arguments"]) == {"tz": "Europe/Paris"}
    assert upstream.last_request()["body"]["tools"] == tools
    assert stack.verify() == []


def test_every_openai_field_passes_through(stack, upstream, client_for):
    client, _ = client_for()
    client.chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "hi"}],
        temperature=0.3, top_p=0.9, n=2, stop=["END"], seed=7, logit_bias={"50256": -100},
        user="user-42", response_format={"type": "json_object"}, reasoning_effort="low",
        tool_choice="none", tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
        presence_penalty=0.1, frequency_penalty=0.2, max_tokens=50, extra_body={"custom_vendor_field": {"x": 1}})
    body = upstream.last_request()["body"]
    for field, value in {"temperature": 0.3, "top_p": 0.9, "n": 2, "stop": ["END"], "seed": 7,
                         "logit_bias": {"50256": -100}, "user": "user-42",
                         "response_format": {"type": "json_object"}, "reasoning_effort": "low",
                         "tool_choice": "none", "presence_penalty": 0.1, "frequency_penalty": 0.2,
                         "max_tokens": 50, "custom_vendor_field": {"x": 1}}.items():
        assert body[field] == value, field


def test_mapped_model_name_goes_upstream_and_the_client_sees_its_own(stack, upstream, client_for):
    client, _ = client_for()
    reply = client.chat.completions.create(model="client-name", messages=[{"role": "user", "content": "hi"}])
    assert upstream.last_request()["body"]["model"] == "upstream-name"
    assert reply.model == "client-name"
    chunks = list(client.chat.completions.create(model="client-name", stream=True,
                                                 messages=[{"role": "user", "content": "hi"}]))
    assert {c.model for c in chunks} == {"client-name"}


def test_the_relay_sends_the_channel_key_not_the_client_key(stack, upstream, client_for):
    client, _ = client_for()
    client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "hi"}])
    headers = {k.lower(): v for k, v in upstream.last_request()["headers"].items()}
    assert headers["authorization"] == "Bearer sk-upstream-secret-0123456789"


def test_models_list_shows_registry_fields(stack, client_for):
    client, _ = client_for()
    models = {m.id: m for m in client.models.list()}
    assert set(models) == {"fake-model", "client-name", "flat-model"}  # not hidden, not orphaned
    fake = models["fake-model"].model_extra
    assert fake["display_name"] == "Fake Model" and fake["category"] == "chat"
    assert fake["capabilities"] == ["chat", "tools"] and fake["context_window"] == 32000
    assert fake["pricing"]["input"] == PRICED["input_price"]
    assert client.models.retrieve("fake-model").id == "fake-model"


def test_models_list_respects_the_key_allow_list(stack, client_for):
    client, _ = client_for(allowed_models=["flat-model", "hidden-model"])
    assert {m.id for m in client.models.list()} == {"flat-model", "hidden-model"}

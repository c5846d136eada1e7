"""The official anthropic SDK against Tollgate (gunicorn + gevent), once
through an OpenAI-format upstream (converted) and once through an
Anthropic-format upstream (passed through). Credits are charged exactly."""
from __future__ import annotations

import anthropic
import pytest
import requests

from tests.blueprints.api_v1.anthropic_stack import CAP, cost, seed
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

TOOL = {"name": "get_weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
# (model the client asks for, registry model billed, upstream dialect)
DOORS = [("deepseek-chat", "deepseek-chat", "openai"), ("claude-native", "claude-native", "anthropic")]


@pytest.fixture(scope="module")
def astack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="anthropic", env={"STREAM_PING_SECONDS": "0.3"})
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


@pytest.fixture
def client(astack):
    raw, _, account = astack.new_key(1_000_000_000)
    sdk = anthropic.Anthropic(api_key=raw, base_url=astack.url, max_retries=0, timeout=30)
    sdk.account_id = account
    sdk.raw_key = raw
    return sdk


def user(text: str) -> list:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize("model, billed, dialect", DOORS)
def test_create_answers_and_charges_exactly(astack, upstream, client, model, billed, dialect):
    usage = {"prompt_tokens": 40, "completion_tokens": 9}
    reply = client.messages.create(model=model, max_tokens=500, system="Be brief.",
                                   messages=user("hello " + directive(reply="Hi there, friend", usage=usage)))
    assert [b.type for b in reply.content] == ["text"] and reply.content[0].text == "Hi there, friend"
    assert reply.model == model and reply.stop_reason == "end_turn"
    assert reply.usage.input_tokens == 40 and reply.usage.output_tokens == 9
    assert reply.usage.model_extra["credits"] == cost(40, 9)
    assert astack.balance(client.account_id) == 1_000_000_000 - cost(40, 9)
    sent = upstream.last_request()
    assert sent["path"] == ("/v1/messages" if dialect == "anthropic" else "/v1/chat/completions")
    [log] = astack.logs(client.account_id)
    assert (log.door, log.model, log.credits, log.status) == ("anthropic", billed, cost(40, 9), 200)


@pytest.mark.parametrize("model, billed, dialect", DOORS)
def test_stream_with_thinking_then_text(astack, upstream, client, model, billed, dialect):
    text = directive(reply="The answer is 42", reasoning="Let me think step by step", chunks=4,
                     usage={"prompt_tokens": 25, "completion_tokens": 11})
    with client.messages.stream(model=model, max_tokens=1000, messages=user(text),
                                thinking={"type": "enabled", "budget_tokens": 600}) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking == "Let me think step by step"
    assert final.content[1].text == "The answer is 42"
    assert final.usage.output_tokens == 11 and final.usage.input_tokens == 25
    assert astack.balance(client.account_id) == 1_000_000_000 - cost(25, 11)
    body = upstream.last_request()["body"]
    if dialect == "openai":
        assert body["stream_options"] == {"include_usage": True} and "thinking" not in body
        assert body.get("reasoning_effort")
    else:
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 600}


@pytest.mark.parametrize("model, billed, dialect", DOORS)
def test_tool_use_round_trip(astack, upstream, client, model, billed, dialect):
    first_text = "Weather in Paris? " + directive(reply="", tools=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    with client.messages.stream(model=model, max_tokens=300, tools=[TOOL], messages=user(first_text)) as stream:
        first = stream.get_final_message()
    assert first.stop_reason == "tool_use"
    [call] = [b for b in first.content if b.type == "tool_use"]
    assert call.name == "get_weather" and call.input == {"city": "Paris"}

    history = user(first_text) + [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call.id, "content": "18°C and sunny"},
            {"type": "text", "text": "Thanks! " + directive(reply="It is 18°C and sunny in Paris.")}]},
    ]
    second = client.messages.create(model=model, max_tokens=300, tools=[TOOL], messages=history)
    assert second.content[0].text == "It is 18°C and sunny in Paris."
    body = upstream.last_request()["body"]
    if dialect == "openai":
        assistant = next(m for m in body["messages"] if m["role"] == "assistant")
        tool_msg = next(m for m in body["messages"] if m["role"] == "tool")
        assert assistant["tool_calls"][0]["id"] == tool_msg["tool_call_id"] == call.id
        assert tool_msg["content"] == "18°C and sunny"
        assert body["tools"][0]["function"]["name"] == "get_weather"
    else:
        assert body["messages"][2]["content"][0] == {"type": "tool_result", "tool_use_id": call.id,
                                                     "content": "18°C and sunny"}
    assert astack.verify() == []


def test_tool_result_error_reaches_an_openai_upstream_marked(astack, upstream, client):
    messages = [
        {"role": "user", "content": "run it"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "X"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True,
                                      "content": [{"type": "text", "text": "city not found"}]}]},
    ]
    client.messages.create(model="deepseek-chat", max_tokens=100, tools=[TOOL], messages=messages)
    tool_msg = next(m for m in upstream.last_request()["body"]["messages"] if m["role"] == "tool")
    assert tool_msg["content"].startswith("Error: ") and "city not found" in tool_msg["content"]


def test_claude_names_map_to_registry_models_and_the_client_sees_its_own(astack, upstream, client):
    reply = client.messages.create(model="claude-sonnet-4-7", max_tokens=64000,
                                   messages=user("hi " + directive(usage={"prompt_tokens": 10, "completion_tokens": 2})))
    assert reply.model == "claude-sonnet-4-7"
    body = upstream.last_request()["body"]
    assert body["model"] == "deepseek-chat"
    assert body["max_tokens"] == CAP  # clamped to what the upstream model accepts
    assert astack.logs(client.account_id)[-1].model == "deepseek-chat"
    assert astack.balance(client.account_id) == 1_000_000_000 - cost(10, 2)
    # A pattern onto the Anthropic-format channel: its own upstream name goes there.
    client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=user("hi"))
    assert upstream.last_request()["body"]["model"] == "claude-upstream-name"


def test_cached_input_is_priced_on_its_own(astack, upstream, client):
    usage = {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 1000,
             "cache_creation_input_tokens": 200}
    # A long cached system prompt: the upstream's counts stay within what the prompt can hold.
    reply = client.messages.create(model="claude-native", max_tokens=50, messages=user(directive(usage=usage)),
                                   system=[{"type": "text", "text": "policy " * 400, "cache_control": {"type": "ephemeral"}}])
    assert reply.usage.cache_read_input_tokens == 1000
    expected = cost(10, 5, read=1000, write=200, cached_prices=True)
    assert reply.usage.model_extra["credits"] == expected
    assert astack.balance(client.account_id) == 1_000_000_000 - expected


def test_anthropic_beta_goes_only_to_anthropic_channels(astack, upstream, client):
    beta = "claude-code-20250219,interleaved-thinking-2025-05-14"
    for model, expect in (("deepseek-chat", None), ("claude-native", beta)):
        client.messages.create(model=model, max_tokens=10, messages=user("hi"),
                               extra_headers={"anthropic-beta": beta})
        assert upstream.last_request()["headers"].get("anthropic-beta") == expect


def test_count_tokens_is_local_and_counts_system_messages_and_tools(astack, upstream, client):
    base = client.messages.count_tokens(model="deepseek-chat", messages=user("hello there"))
    fuller = client.messages.count_tokens(model="deepseek-chat", messages=user("hello there"),
                                          system="You are a careful assistant. " * 20, tools=[TOOL])
    assert 0 < base.input_tokens < fuller.input_tokens
    assert upstream.stats()["calls"] == 0


def test_query_string_and_x_api_key_and_any_version_are_accepted(astack, upstream, client):
    response = requests.post(astack.url + "/v1/messages?beta=true", timeout=30,
                             headers={"x-api-key": client.raw_key, "anthropic-version": "2099-01-01"},
                             json={"model": "deepseek-chat", "max_tokens": 20, "messages": user("hi")})
    assert response.status_code == 200 and response.json()["type"] == "message"
    assert requests.head(astack.url + "/", timeout=10).status_code == 200


def test_long_upstream_silence_sends_pings(astack, upstream, client):
    raw = requests.post(astack.url + "/v1/messages", stream=True, timeout=30, headers={"x-api-key": client.raw_key},
                        json={"model": "deepseek-chat", "max_tokens": 50, "stream": True,
                              "messages": user(directive(reply="slow answer", chunks=2, delay=1.0))}).content
    assert raw.count(b"event: ping") >= 2
    assert raw.index(b"event: message_start") < raw.index(b"event: ping")


@pytest.mark.parametrize("status, error_type, kind", [
    (None, "authentication_error", anthropic.AuthenticationError),
])
def test_bad_key_is_an_anthropic_authentication_error(astack, status, error_type, kind):
    sdk = anthropic.Anthropic(api_key="sk-wrong-key-0000000000000000", base_url=astack.url, max_retries=0)
    with pytest.raises(kind) as caught:
        sdk.messages.create(model="deepseek-chat", max_tokens=10, messages=user("hi"))
    assert caught.value.body["error"]["type"] == error_type and caught.value.body["type"] == "error"


def test_errors_have_anthropic_shapes(astack, upstream, client):
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(model="no-such-model", max_tokens=10, messages=user("hi"))
    assert caught.value.body["error"]["type"] == "not_found_error"
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="deepseek-chat", max_tokens=10, messages=[])
    assert caught.value.body["error"]["type"] == "invalid_request_error"
    broke = anthropic.Anthropic(api_key=astack.new_key(0)[0], base_url=astack.url, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as caught:
        broke.messages.create(model="deepseek-chat", max_tokens=10, messages=user("hi"))
    assert caught.value.status_code == 402 and caught.value.body["type"] == "error"
    with pytest.raises(anthropic.InternalServerError) as caught:
        client.messages.create(model="deepseek-chat", max_tokens=10, messages=user(directive(status=500)))
    assert caught.value.body["error"]["type"] == "api_error"
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(model="claude-native", max_tokens=10, messages=user(directive(status=529)))
    assert caught.value.status_code == 503 and caught.value.body["error"]["type"] == "overloaded_error"
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(model="deepseek-chat", max_tokens=10, messages=user(directive(status=429, retry_after=3)))


@pytest.mark.parametrize("model", ["deepseek-chat", "claude-native"])
def test_upstream_failing_mid_stream_sends_an_error_event(astack, upstream, client, model):
    text = directive(reply="one two three four five six", chunks=6, die_after=3)
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(model=model, max_tokens=100, messages=user(text)) as stream:
            for _ in stream:
                pass
    assert caught.value.body["type"] == "error"
    log = astack.logs(client.account_id)[-1]
    assert log.status == 502 and log.credits > 0
    assert astack.verify() == []

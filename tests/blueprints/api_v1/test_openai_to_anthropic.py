"""The official openai SDK through Tollgate to an Anthropic-format upstream:
requests and answers converted both ways, streams and tools included."""
from __future__ import annotations

import json

import pytest
from openai import OpenAI

from tests.blueprints.api_v1.anthropic_stack import cost, seed
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "Look a thing up",
                                           "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]


@pytest.fixture(scope="module")
def ostack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="openai-to-anthropic")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


@pytest.fixture
def client(ostack):
    raw, _, account = ostack.new_key(1_000_000_000)
    sdk = OpenAI(api_key=raw, base_url=ostack.base_url, max_retries=0, timeout=30)
    sdk.account_id = account
    return sdk


def test_create_is_converted_both_ways(ostack, upstream, client):
    reply = client.chat.completions.create(
        model="claude-native", max_tokens=200,
        messages=[{"role": "system", "content": "Be terse."},
                  {"role": "user", "content": "hi " + directive(reply="Hello!", usage={"input_tokens": 12, "output_tokens": 2})}])
    assert reply.choices[0].message.content == "Hello!" and reply.choices[0].finish_reason == "stop"
    assert reply.model == "claude-native"
    assert reply.usage.prompt_tokens == 12 and reply.usage.completion_tokens == 2
    assert reply.usage.model_extra["credits"] == cost(12, 2)
    sent = upstream.last_request()
    assert sent["path"] == "/v1/messages"
    assert sent["body"]["system"] in ("Be terse.", [{"type": "text", "text": "Be terse."}])
    assert sent["body"]["model"] == "claude-upstream-name" and sent["body"]["max_tokens"] == 200
    assert sent["headers"]["x-api-key"] == "sk-upstream-secret-0123456789"
    assert ostack.balance(client.account_id) == 1_000_000_000 - cost(12, 2)


def test_create_without_max_tokens_sends_the_model_cap(ostack, upstream, client):
    client.chat.completions.create(model="claude-native", messages=[{"role": "user", "content": "hi"}])
    assert upstream.last_request()["body"]["max_tokens"] == 32000


def test_tool_calls_non_stream(ostack, upstream, client):
    text = directive(reply="", tools=[{"name": "lookup", "arguments": {"q": "tollgate"}}])
    reply = client.chat.completions.create(model="claude-native", tools=TOOLS, tool_choice="required",
                                           messages=[{"role": "user", "content": text}])
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls[0].function.name == "lookup"
    assert json.loads(choice.message.tool_calls[0].function.arguments) == {"q": "tollgate"}
    body = upstream.last_request()["body"]
    assert body["tools"][0]["name"] == "lookup" and body["tools"][0]["input_schema"]["type"] == "object"
    assert body["tool_choice"] == {"type": "any"}


def test_stream_with_tools_and_usage(ostack, upstream, client):
    text = directive(reply="Let me look.", tools=[{"name": "lookup", "arguments": {"q": "a"}},
                                                   {"name": "lookup", "arguments": {"q": "b"}}], arg_chunks=3,
                     usage={"input_tokens": 30, "output_tokens": 12})
    content, calls, finish, usage = "", {}, None, None
    for chunk in client.chat.completions.create(model="claude-native", stream=True, tools=TOOLS,
                                                stream_options={"include_usage": True},
                                                messages=[{"role": "user", "content": text}]):
        usage = chunk.usage or usage
        for choice in chunk.choices:
            content += choice.delta.content or ""
            finish = choice.finish_reason or finish
            for call in choice.delta.tool_calls or []:
                slot = calls.setdefault(call.index, {"name": "", "args": ""})
                slot["name"] += call.function.name or ""
                slot["args"] += call.function.arguments or ""
    assert content == "Let me look." and finish == "tool_calls"
    assert [json.loads(c["args"]) for _, c in sorted(calls.items())] == [{"q": "a"}, {"q": "b"}]
    assert usage.prompt_tokens == 30 and usage.completion_tokens == 12
    assert usage.model_extra["credits"] == cost(30, 12)
    assert ostack.balance(client.account_id) == 1_000_000_000 - cost(30, 12)


def test_tool_results_go_back_as_one_user_turn(ostack, upstream, client):
    messages = [
        {"role": "user", "content": "look both up"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"a"}'}},
            {"id": "call_2", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"b"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "A!"},
        {"role": "tool", "tool_call_id": "call_2", "content": "B!"},
    ]
    reply = client.chat.completions.create(model="claude-native", tools=TOOLS, messages=messages)
    assert reply.choices[0].message.content
    turns = upstream.last_request()["body"]["messages"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert [b["tool_use_id"] for b in turns[2]["content"]] == ["call_1", "call_2"]


def test_plain_stream_hides_usage_unless_asked(ostack, upstream, client):
    chunks = list(client.chat.completions.create(model="claude-native", stream=True,
                                                 messages=[{"role": "user", "content": directive(reply="a b")}]))
    assert all(c.usage is None for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "a b"
    assert ostack.verify() == []

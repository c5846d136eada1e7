"""The Claude-Code-shaped request (docs/protocols.md §5) converts to valid OpenAI."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from openai.types.chat import (ChatCompletionFunctionToolParam, ChatCompletionMessageFunctionToolCallParam,
                               ChatCompletionMessageParam)

from services.relay.convert import anthropic_to_openai_request, count_tokens
from services.relay.tokens import json_value_tokens

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "claude_code_request.json"
ANTHROPIC_ONLY_KEYS = {"thinking", "output_config", "context_management", "cache_control", "metadata",
                       "stop_sequences", "input_schema", "tool_use_id", "is_error", "signature", "$schema",
                       "top_k", "system"}
MESSAGE = TypeAdapter(ChatCompletionMessageParam)
TOOL_CALL = TypeAdapter(ChatCompletionMessageFunctionToolCallParam)
TOOL = TypeAdapter(ChatCompletionFunctionToolParam)
PROVIDERS = [("openai", "gpt-test"), ("deepseek", "deepseek-chat"), ("qwen", "qwen-plus"),
             ("openrouter", "deepseek/deepseek-chat-v3")]


@pytest.fixture(scope="module")
def body() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def convert(body, provider, model):
    return anthropic_to_openai_request(body, upstream_model=model, max_output_tokens=8192, provider=provider)


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def test_fixture_has_the_claude_code_shape(body):
    assert body["stream"] is True and body["max_tokens"] == 64000
    assert body["thinking"] == {"type": "adaptive"} and body["output_config"] == {"effort": "high"}
    assert "context_management" in body
    assert len(body["system"]) == 3 and sum("cache_control" in b for b in body["system"]) == 2
    assert isinstance(json.loads(body["metadata"]["user_id"]), dict)
    assert 24 <= len(body["tools"]) <= 27
    assert all("$schema" in t["input_schema"] and "additionalProperties" in t["input_schema"] for t in body["tools"])
    assert any(m["role"] == "system" for m in body["messages"])
    types = [b["type"] for m in body["messages"] if m["role"] == "assistant" for b in m["content"]]
    assert {"thinking", "text", "tool_use"} <= set(types)


@pytest.mark.parametrize("provider, model", PROVIDERS)
def test_conversion_is_valid_openai(body, provider, model):
    out, names = convert(body, provider, model)
    assert not keys(out) & ANTHROPIC_ONLY_KEYS
    assert out["max_tokens"] == 8192
    assert out["stream"] is True and out["stream_options"] == {"include_usage": True}
    assert re.fullmatch(r"[0-9a-f]{32}", out["user"])
    for message in out["messages"]:
        MESSAGE.validate_python(message)
        assert message.get("content") != "", "empty content round-trips into empty blocks"
        for call in message.get("tool_calls") or []:
            TOOL_CALL.validate_python(call)
            json.loads(call["function"]["arguments"])
    assert len(out["tools"]) == len(body["tools"])
    for tool in out["tools"]:
        TOOL.validate_python(tool)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tool["function"]["name"])
    assert {names.restore(t["function"]["name"]) for t in out["tools"]} == {t["name"] for t in body["tools"]}


@pytest.mark.parametrize("provider, model", PROVIDERS)
def test_every_tool_call_is_answered_right_after_it(body, provider, model):
    messages = convert(body, provider, model)[0]["messages"]
    for i, message in enumerate(messages):
        ids = [c["id"] for c in message.get("tool_calls") or []]
        if ids:
            answers = messages[i + 1:i + 1 + len(ids)]
            assert [(m["role"], m["tool_call_id"]) for m in answers] == [("tool", cid) for cid in ids]
        if message["role"] == "tool":
            previous = next(m for m in reversed(messages[:i]) if m["role"] != "tool")
            assert message["tool_call_id"] in [c["id"] for c in previous.get("tool_calls") or []]


def test_generic_keeps_the_mid_conversation_system_message(body):
    messages = convert(body, "openai", "gpt-test")[0]["messages"]
    systems = [i for i, m in enumerate(messages) if m["role"] == "system"]
    assert systems[0] == 0 and len(systems) == 2
    assert "acceptEdits" in messages[systems[1]]["content"]


@pytest.mark.parametrize("provider, model", [("deepseek", "deepseek-chat"), ("qwen", "qwen-plus")])
def test_strict_providers_get_one_leading_system_message(body, provider, model):
    messages = convert(body, provider, model)[0]["messages"]
    assert [i for i, m in enumerate(messages) if m["role"] == "system"] == [0]
    last = messages[-1]
    assert last["role"] == "user" and "<system-reminder>\nThe user has switched" in last["content"]
    assert last["content"].endswith("Also check the Grep tool works on the convert package.")


def test_reasoning_per_provider(body):
    assert convert(body, "openai", "gpt-test")[0]["reasoning_effort"] == "high"
    deepseek = convert(body, "deepseek", "deepseek-chat")[0]
    assert deepseek["reasoning_effort"] == "high"
    assistant = next(m for m in deepseek["messages"] if m["role"] == "assistant")
    assert assistant["reasoning_content"].startswith("The user wants")
    assert convert(body, "qwen", "qwen-plus")[0]["enable_thinking"] is True
    assert convert(body, "openrouter", "x/y")[0]["reasoning"] == {"enabled": True, "effort": "high"}


def test_openrouter_anthropic_keeps_cache_control_only_there(body):
    out = convert(body, "openrouter", "anthropic/claude-sonnet-4.5")[0]
    assert "cache_control" in json.dumps(out["messages"])
    assert "cache_control" not in json.dumps(convert(body, "openrouter", "openai/gpt-5")[0])


def test_count_tokens_covers_system_and_tools(body):
    total = count_tokens(body)
    floor = json_value_tokens(body["system"]) + sum(json_value_tokens(t["input_schema"]) for t in body["tools"])
    assert total > floor
    without_tools = count_tokens({k: v for k, v in body.items() if k != "tools"})
    assert total - without_tools > 1000

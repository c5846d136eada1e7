"""OpenAI request -> Anthropic-native request."""
from __future__ import annotations

import pytest
from anthropic.types import MessageParam, ToolParam
from pydantic import TypeAdapter

from services.relay.convert import openai_to_anthropic_request

MESSAGE = TypeAdapter(MessageParam)
TOOL = TypeAdapter(ToolParam)


def convert(messages=None, limit=None, **fields):
    body = {"model": "gpt-x", "messages": messages or [{"role": "user", "content": "hi"}], **fields}
    out = openai_to_anthropic_request(body, upstream_model="claude-up", max_output_tokens=limit)
    assert out["model"] == "claude-up"
    for message in out["messages"]:
        MESSAGE.validate_python(message)
    for tool in out.get("tools") or []:
        TOOL.validate_python(tool)
    return out


def call(call_id, name="get_weather", arguments='{"city": "Paris"}'):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def roles(out):
    return [m["role"] for m in out["messages"]]


# --- system and roles -------------------------------------------------------------------

def test_system_and_developer_messages_anywhere_move_to_system():
    out = convert([{"role": "system", "content": "Rule 1."},
                   {"role": "user", "content": "hi"},
                   {"role": "developer", "content": [{"type": "text", "text": "Rule 2."}]},
                   {"role": "assistant", "content": "hello"},
                   {"role": "user", "content": "bye"}])
    assert out["system"] == "Rule 1.\n\nRule 2."
    assert roles(out) == ["user", "assistant", "user"]


def test_first_turn_must_be_user():
    out = convert([{"role": "system", "content": "S"}, {"role": "assistant", "content": "Hi, how can I help?"},
                   {"role": "user", "content": "weather?"}])
    assert roles(out) == ["user", "assistant", "user"]
    assert out["messages"][0]["content"][0]["text"].strip()


def test_consecutive_same_role_messages_are_merged():
    out = convert([{"role": "user", "content": "a"}, {"role": "user", "content": "b"},
                   {"role": "assistant", "content": "c"}, {"role": "assistant", "content": "d"},
                   {"role": "user", "content": "e"}])
    assert roles(out) == ["user", "assistant", "user"]
    assert [b["text"] for b in out["messages"][0]["content"]] == ["a", "b"]


def test_empty_text_is_dropped():
    out = convert([{"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "x"}]},
                   {"role": "assistant", "content": ""},
                   {"role": "user", "content": "  "},
                   {"role": "user", "content": "y"}])
    texts = [b.get("text") for m in out["messages"] for b in m["content"]]
    assert all(t and t.strip() for t in texts)
    assert roles(out) == ["user"]


def test_final_assistant_prefill_loses_trailing_whitespace():
    out = convert([{"role": "user", "content": "q"}, {"role": "assistant", "content": "The answer is "}])
    assert out["messages"][-1]["content"] == [{"type": "text", "text": "The answer is"}]


@pytest.mark.parametrize("url, source", [
    ("data:image/png;base64,iVBORw0", {"type": "base64", "media_type": "image/png", "data": "iVBORw0"}),
    ("https://example.com/cat.jpg", {"type": "url", "url": "https://example.com/cat.jpg"}),
])
def test_images(url, source):
    out = convert([{"role": "user", "content": [{"type": "text", "text": "what?"},
                                                 {"type": "image_url", "image_url": {"url": url}}]}])
    assert out["messages"][0]["content"][1] == {"type": "image", "source": source}


# --- tools ---------------------------------------------------------------------------------

TOOL_LOOP = [
    {"role": "user", "content": "Weather in Paris and Rome?"},
    {"role": "assistant", "content": None, "tool_calls": [call("c1"), call("c2", arguments='{"city": "Rome"}')]},
    {"role": "tool", "tool_call_id": "c1", "content": "18C"},
    {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "25C"}]},
    {"role": "user", "content": "Thanks, which is warmer?"},
]


def test_tool_calls_become_tool_use_blocks():
    assistant = convert(TOOL_LOOP)["messages"][1]
    assert assistant["content"] == [
        {"type": "tool_use", "id": "c1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "c2", "name": "get_weather", "input": {"city": "Rome"}}]


def test_all_tool_results_go_in_one_user_message_before_text():
    out = convert(TOOL_LOOP)
    assert roles(out) == ["user", "assistant", "user"]
    assert out["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "c1", "content": "18C"},
        {"type": "tool_result", "tool_use_id": "c2", "content": "25C"},
        {"type": "text", "text": "Thanks, which is warmer?"}]


def test_unanswered_tool_call_gets_a_synthetic_result():
    out = convert(TOOL_LOOP[:3] + [{"role": "user", "content": "go on"}])
    ids = [b["tool_use_id"] for b in out["messages"][2]["content"] if b["type"] == "tool_result"]
    assert ids == ["c1", "c2"]


def test_broken_arguments_in_history_are_repaired():
    out = convert([{"role": "user", "content": "x"},
                   {"role": "assistant", "tool_calls": [call("c1", arguments='{"city": "Par')]},
                   {"role": "tool", "tool_call_id": "c1", "content": "ok"}])
    assert out["messages"][1]["content"][0]["input"] == {"city": "Par"}


def test_tool_definitions():
    out = convert(tools=[{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                                           "parameters": {"type": "object", "properties": {
                                                               "city": {"type": "string"}}}}},
                         {"type": "function", "function": {"name": "now"}}])
    assert out["tools"] == [
        {"name": "get_weather", "description": "Weather",
         "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}},
        {"name": "now", "input_schema": {"type": "object", "properties": {}}}]


TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]


@pytest.mark.parametrize("choice, expected", [
    ("auto", {"type": "auto"}),
    ("required", {"type": "any"}),
    ("none", {"type": "none"}),
    ({"type": "function", "function": {"name": "get_weather"}}, {"type": "tool", "name": "get_weather"}),
])
def test_tool_choice(choice, expected):
    assert convert(tools=TOOLS, tool_choice=choice)["tool_choice"] == expected


def test_parallel_tool_calls_false():
    out = convert(tools=TOOLS, parallel_tool_calls=False)
    assert out["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    out = convert(tools=TOOLS, tool_choice="required", parallel_tool_calls=False)
    assert out["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_no_tool_choice_without_tools():
    assert "tool_choice" not in convert(tool_choice="required")


# --- parameters --------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, limit, expected", [
    ({}, None, 4096),
    ({}, 8192, 8192),
    ({"max_tokens": 500}, 8192, 500),
    ({"max_tokens": 100000}, 8192, 8192),
    ({"max_completion_tokens": 700, "max_tokens": 500}, None, 700),
])
def test_max_tokens_is_always_set(fields, limit, expected):
    assert convert(limit=limit, **fields)["max_tokens"] == expected


@pytest.mark.parametrize("temperature, expected", [(1.7, 1.0), (0.4, 0.4), (-1, 0.0), (0, 0.0)])
def test_temperature_is_clamped(temperature, expected):
    assert convert(temperature=temperature)["temperature"] == expected


@pytest.mark.parametrize("stop, expected", [("END", ["END"]), (["a", "b"], ["a", "b"]), (["", " "], None)])
def test_stop(stop, expected):
    assert convert(stop=stop).get("stop_sequences") == expected


def test_stream_and_user():
    out = convert(stream=True, stream_options={"include_usage": True}, user="u-42")
    assert out["stream"] is True and "stream_options" not in out
    assert out["metadata"] == {"user_id": "u-42"}


def test_openai_only_fields_are_dropped():
    out = convert(n=1, presence_penalty=0.5, frequency_penalty=0.1, logprobs=True, seed=3, logit_bias={"1": 2})
    assert set(out) == {"model", "max_tokens", "messages"}


@pytest.mark.parametrize("effort, max_tokens, budget", [
    ("low", 8192, 1024), ("medium", 8192, 4096), ("high", 32000, 16384), ("high", 8192, 8191),
])
def test_reasoning_effort_becomes_thinking_below_max_tokens(effort, max_tokens, budget):
    out = convert(reasoning_effort=effort, max_tokens=max_tokens)
    assert out["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert out["thinking"]["budget_tokens"] < out["max_tokens"]


def test_thinking_forces_temperature_one_and_drops_top_p():
    out = convert(reasoning_effort="medium", max_tokens=8192, temperature=0.2, top_p=0.9)
    assert out["temperature"] == 1 and "top_p" not in out
    plain = convert(temperature=0.2, top_p=0.9)
    assert plain["temperature"] == 0.2 and plain["top_p"] == 0.9


@pytest.mark.parametrize("fields", [
    {"reasoning_effort": "minimal"},
    {"reasoning_effort": "none"},
    {"reasoning_effort": "high", "max_tokens": 1000},  # no room for the 1024 minimum budget
    {"reasoning_effort": "high", "tools": TOOLS, "tool_choice": "required"},  # Anthropic refuses forced tools
])
def test_no_thinking(fields):
    assert "thinking" not in convert(**fields)


def test_json_schema_response_format():
    schema = {"type": "object", "properties": {"title": {"type": "string"}}}
    out = convert(response_format={"type": "json_schema", "json_schema": {"name": "t", "schema": schema}})
    assert out["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    assert "output_config" not in convert(response_format={"type": "json_object"})

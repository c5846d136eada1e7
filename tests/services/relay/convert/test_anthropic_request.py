"""Anthropic request -> OpenAI request: parameters, tools, thinking, formats."""
from __future__ import annotations

import hashlib
import json

import pytest

from services.relay.convert import anthropic_to_openai_request

ANTHROPIC_ONLY = ("thinking", "output_config", "context_management", "top_k", "metadata",
                  "system", "stop_sequences", "cache_control")


def convert(provider="openai", model="gpt-test", limit=None, **fields):
    body = {"model": "claude-x", "max_tokens": 1024, "messages": [{"role": "user", "content": "hi"}]}
    body.update(fields)
    request, _ = anthropic_to_openai_request(body, upstream_model=model, max_output_tokens=limit, provider=provider)
    return request


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


# --- scalar parameters ------------------------------------------------------

@pytest.mark.parametrize("requested, limit, expected", [
    (64000, 8192, 8192),
    (1000, 8192, 1000),
    (64000, None, 64000),
    (None, 8192, 8192),
])
def test_max_tokens_is_clamped_to_the_upstream_limit(requested, limit, expected):
    assert convert(limit=limit, max_tokens=requested)["max_tokens"] == expected


def test_openai_reasoning_models_take_max_completion_tokens_and_no_sampling():
    out = convert(model="o3-mini", limit=8192, max_tokens=64000, temperature=0.2, top_p=0.9)
    assert out["max_completion_tokens"] == 8192
    assert "max_tokens" not in out and "temperature" not in out and "top_p" not in out


def test_stream_requests_usage():
    out = convert(stream=True)
    assert out["stream"] is True
    assert out["stream_options"] == {"include_usage": True}


def test_non_stream_sends_no_stream_options():
    out = convert(stream=False)
    assert "stream_options" not in out and not out.get("stream")


def test_sampling_passes_through_and_anthropic_only_fields_are_dropped():
    out = convert(temperature=0.3, top_p=0.8, top_k=40, context_management={"edits": []},
                  output_config={"effort": "low"}, service_tier="auto")
    assert out["temperature"] == 0.3 and out["top_p"] == 0.8
    assert not all_keys(out) & set(ANTHROPIC_ONLY)
    assert "service_tier" not in out


def test_qwen_keeps_top_k_as_an_extra_field():
    assert convert(provider="dashscope", top_k=20)["top_k"] == 20


@pytest.mark.parametrize("stops, expected", [
    (["\n\nHuman:", "END"], ["\n\nHuman:", "END"]),
    (["a", "b", "c", "d", "e", "f"], ["a", "b", "c", "d"]),
])
def test_stop_sequences_become_stop_with_at_most_four(stops, expected):
    assert convert(stop_sequences=stops)["stop"] == expected


def test_empty_stop_sequences_are_omitted():
    assert "stop" not in convert(stop_sequences=[])


def test_user_id_is_hashed_to_32_hex_chars():
    user_id = json.dumps({"device_id": "abc", "session_id": "s-1"})
    out = convert(metadata={"user_id": user_id})
    assert out["user"] == hashlib.sha256(user_id.encode()).hexdigest()[:32]
    assert len(out["user"]) == 32 and user_id not in json.dumps(out)


def test_no_user_without_metadata():
    assert "user" not in convert()


# --- tools --------------------------------------------------------------------

SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
          "properties": {"format": {"type": "string", "format": "uri", "default": "x"},
                         "n": {"type": "integer"}},
          "required": ["format"], "additionalProperties": False}
TOOL = {"name": "fetch", "description": "Fetch a URL", "input_schema": SCHEMA}


def test_tools_become_functions_without_schema_metadata():
    tool = convert(tools=[TOOL])["tools"][0]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "fetch"
    assert tool["function"]["description"] == "Fetch a URL"
    params = tool["function"]["parameters"]
    assert "$schema" not in params
    assert params["additionalProperties"] is False  # only Gemini needs it gone
    assert params["properties"]["format"]["format"] == "uri"


def test_gemini_schemas_lose_unsupported_keywords_but_keep_property_names():
    params = convert(provider="gemini", tools=[TOOL])["tools"][0]["function"]["parameters"]
    assert "additionalProperties" not in params
    assert set(params["properties"]) == {"format", "n"}
    assert params["properties"]["format"] == {"type": "string"}


def test_tool_without_schema_gets_an_empty_object_schema():
    tool = convert(tools=[{"name": "now"}])["tools"][0]["function"]
    assert tool["parameters"] == {"type": "object", "properties": {}}
    assert "description" not in tool


def test_hosted_tools_are_filtered_and_web_search_translated():
    out = convert(tools=[TOOL,
                         {"type": "bash_20250124", "name": "bash"},
                         {"type": "web_search_20250305", "name": "web_search",
                          "user_location": {"type": "approximate", "city": "Paris", "country": "FR"}}])
    assert [t["function"]["name"] for t in out["tools"]] == ["fetch"]
    assert out["web_search_options"] == {"user_location": {"type": "approximate",
                                                           "approximate": {"city": "Paris", "country": "FR"}}}


@pytest.mark.parametrize("provider", ["deepseek", "qwen"])
def test_web_search_options_only_where_supported(provider):
    out = convert(provider=provider, tools=[TOOL, {"type": "web_search_20250305", "name": "web_search"}])
    assert "web_search_options" not in out and len(out["tools"]) == 1


@pytest.mark.parametrize("choice, expected", [
    ({"type": "auto"}, "auto"),
    ({"type": "any"}, "required"),
    ({"type": "none"}, "none"),
    ({"type": "tool", "name": "fetch"}, {"type": "function", "function": {"name": "fetch"}}),
])
def test_tool_choice(choice, expected):
    out = convert(tools=[TOOL], tool_choice=choice)
    assert out["tool_choice"] == expected
    assert "parallel_tool_calls" not in out


def test_disable_parallel_tool_use():
    out = convert(tools=[TOOL], tool_choice={"type": "auto", "disable_parallel_tool_use": True})
    assert out["parallel_tool_calls"] is False and out["tool_choice"] == "auto"


def test_tool_choice_is_dropped_without_tools():
    out = convert(tool_choice={"type": "any"})
    assert "tool_choice" not in out and "tools" not in out


LONG = "mcp__some_very_long_server_name_for_testing__and_an_even_longer_tool_name_here"


def test_long_tool_names_are_shortened_consistently_and_restorable():
    body = {"model": "c", "max_tokens": 10, "tools": [{"name": LONG, "input_schema": {}}],
            "tool_choice": {"type": "tool", "name": LONG},
            "messages": [{"role": "user", "content": "go"},
                         {"role": "assistant",
                          "content": [{"type": "tool_use", "id": "t1", "name": LONG, "input": {}}]},
                         {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}]}
    out, names = anthropic_to_openai_request(body, upstream_model="m", max_output_tokens=None)
    short = out["tools"][0]["function"]["name"]
    assert len(LONG) > 64 and len(short) <= 64 and short != LONG
    assert out["tool_choice"]["function"]["name"] == short
    assert out["messages"][1]["tool_calls"][0]["function"]["name"] == short
    assert names.restore(short) == LONG
    assert names.restore("Bash") == "Bash"


def test_long_names_with_a_common_prefix_stay_distinct():
    tools = [{"name": LONG + "_a", "input_schema": {}}, {"name": LONG + "_b", "input_schema": {}}]
    out = convert(tools=tools)
    first, second = (t["function"]["name"] for t in out["tools"])
    assert first != second


# --- thinking -------------------------------------------------------------------

@pytest.mark.parametrize("budget, effort", [(1024, "low"), (2000, "low"), (4096, "medium"),
                                            (10000, "medium"), (16384, "high"), (32000, "high")])
def test_thinking_budget_is_bucketed_into_reasoning_effort(budget, effort):
    out = convert(max_tokens=64000, thinking={"type": "enabled", "budget_tokens": budget})
    assert out["reasoning_effort"] == effort


@pytest.mark.parametrize("effort, expected", [("low", "low"), ("medium", "medium"), ("high", "high"),
                                              ("max", "high"), (None, "high")])
def test_adaptive_thinking_uses_output_config_effort(effort, expected):
    config = {"effort": effort} if effort else {}
    out = convert(thinking={"type": "adaptive"}, output_config=config)
    assert out["reasoning_effort"] == expected


def test_deepseek_gets_reasoning_effort():
    out = convert(provider="deepseek", thinking={"type": "adaptive"}, output_config={"effort": "low"})
    assert out["reasoning_effort"] == "low"


def test_no_thinking_no_reasoning_fields():
    out = convert(output_config={"effort": "high"})
    assert not {"reasoning_effort", "reasoning", "enable_thinking"} & set(out)


@pytest.mark.parametrize("provider", ["qwen", "dashscope"])
def test_qwen_uses_enable_thinking(provider):
    out = convert(provider=provider, max_tokens=8000, thinking={"type": "enabled", "budget_tokens": 2048})
    assert out["enable_thinking"] is True and out["thinking_budget"] == 2048
    assert "reasoning_effort" not in out
    adaptive = convert(provider=provider, thinking={"type": "adaptive"})
    assert adaptive["enable_thinking"] is True and "thinking_budget" not in adaptive
    assert convert(provider=provider, thinking={"type": "disabled"})["enable_thinking"] is False


def test_openrouter_uses_reasoning_object():
    out = convert(provider="openrouter", max_tokens=8000, thinking={"type": "enabled", "budget_tokens": 3000})
    assert out["reasoning"] == {"enabled": True, "max_tokens": 3000}
    assert "reasoning_effort" not in out
    adaptive = convert(provider="openrouter", thinking={"type": "adaptive"}, output_config={"effort": "medium"})
    assert adaptive["reasoning"] == {"enabled": True, "effort": "medium"}


def test_openrouter_budget_stays_below_clamped_max_tokens():
    out = convert(provider="openrouter", limit=4000, max_tokens=64000,
                  thinking={"type": "enabled", "budget_tokens": 10000})
    assert out["max_tokens"] == 4000 and out["reasoning"]["max_tokens"] == 3999


def test_openai_non_reasoning_models_get_no_reasoning_effort():
    assert "reasoning_effort" not in convert(model="gpt-4o", thinking={"type": "adaptive"})
    assert convert(model="o4-mini", thinking={"type": "adaptive"})["reasoning_effort"] == "high"


# --- structured output ------------------------------------------------------------

TITLE_SCHEMA = {"type": "object", "properties": {"title": {"type": "string"}},
                "required": ["title"], "additionalProperties": False}


def test_json_schema_output_becomes_response_format():
    out = convert(output_config={"format": {"type": "json_schema", "schema": TITLE_SCHEMA}})
    assert out["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "response", "schema": TITLE_SCHEMA, "strict": True}}


@pytest.mark.parametrize("provider, fmt", [
    ("deepseek", {"type": "json_schema", "schema": TITLE_SCHEMA}),
    ("qwen", {"type": "json_schema", "schema": TITLE_SCHEMA}),
    ("openai", {"type": "json_schema"}),
])
def test_json_object_fallback(provider, fmt):
    assert convert(provider=provider, output_config={"format": fmt})["response_format"] == {"type": "json_object"}

"""OpenAI completion -> Anthropic message (non-stream)."""
from __future__ import annotations

import pytest
from anthropic.types import Message

from services.relay.convert import ToolNames, openai_to_anthropic_message

USAGE = {"prompt_tokens": 50, "completion_tokens": 7, "total_tokens": 57}


def completion(message, finish="stop", usage=USAGE):
    return {"id": "chatcmpl-9", "object": "chat.completion", "model": "upstream",
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
            "usage": usage}


def convert(message, finish="stop", **kwargs):
    result = openai_to_anthropic_message(completion(message, finish), model="claude-x", **kwargs)
    Message.model_validate(result)  # the SDK's own schema accepts it
    return result


def test_text_reply():
    out = convert({"content": "Hi there"})
    assert out["type"] == "message" and out["role"] == "assistant" and out["model"] == "claude-x"
    assert out["id"].startswith("msg_")
    assert out["content"] == [{"type": "text", "text": "Hi there"}]
    assert out["stop_reason"] == "end_turn" and out["stop_sequence"] is None
    assert out["usage"] == {"input_tokens": 50, "output_tokens": 7,
                            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}


def test_content_order_thinking_text_tool_use():
    out = convert({"reasoning_content": "Think first.", "content": "Calling.",
                   "tool_calls": [{"id": "call_1", "type": "function",
                                   "function": {"name": "Read", "arguments": '{"file_path": "/a"}'}}]},
                  finish="tool_calls")
    assert [b["type"] for b in out["content"]] == ["thinking", "text", "tool_use"]
    assert out["content"][0] == {"type": "thinking", "thinking": "Think first.", "signature": ""}
    assert out["content"][2] == {"type": "tool_use", "id": "call_1", "name": "Read", "input": {"file_path": "/a"}}
    assert out["stop_reason"] == "tool_use"


def test_openrouter_reasoning_field():
    assert convert({"reasoning": "hmm", "content": "ok"})["content"][0]["thinking"] == "hmm"


def test_empty_content_with_tool_calls_gives_no_empty_text_block():
    out = convert({"content": "", "tool_calls": [{"id": "c", "type": "function",
                                                   "function": {"name": "Bash", "arguments": "{}"}}]})
    assert [b["type"] for b in out["content"]] == ["tool_use"]


def test_no_content_at_all_is_never_an_empty_list():
    assert convert({"content": None})["content"] == [{"type": "text", "text": ""}]


def test_tool_calls_with_stop_force_tool_use():
    out = convert({"content": None, "tool_calls": [{"id": "c", "type": "function",
                                                     "function": {"name": "Bash", "arguments": "{}"}}]}, finish="stop")
    assert out["stop_reason"] == "tool_use"


@pytest.mark.parametrize("finish, expected", [("stop", "end_turn"), ("length", "max_tokens"),
                                              ("content_filter", "refusal"), (None, "end_turn"),
                                              ("something_new", "end_turn")])
def test_finish_reason_table(finish, expected):
    assert convert({"content": "x"}, finish=finish)["stop_reason"] == expected


@pytest.mark.parametrize("arguments, expected", [
    ('{"a": 1}', {"a": 1}),
    ('{"a": 1, "b": "unfinished', {"a": 1, "b": "unfinished"}),
    ("not json", {}),
    ("", {}),
    (None, {}),
])
def test_bad_tool_arguments_are_parsed_leniently(arguments, expected):
    out = convert({"tool_calls": [{"id": "c", "type": "function",
                                   "function": {"name": "Edit", "arguments": arguments}}]})
    assert out["content"][0]["input"] == expected


def test_missing_tool_id_is_generated_and_names_restored():
    names = ToolNames()
    long = "mcp__" + "y" * 90
    out = convert({"tool_calls": [{"type": "function", "function": {"name": names.shorten(long), "arguments": "{}"}}]},
                  tool_names=names)
    assert out["content"][0]["id"].startswith("toolu_") and out["content"][0]["name"] == long


def test_cached_usage_is_moved_out_of_input_tokens():
    usage = {"prompt_tokens": 1000, "completion_tokens": 10, "prompt_tokens_details": {"cached_tokens": 800}}
    out = openai_to_anthropic_message(completion({"content": "x"}, usage=usage), model="m")
    assert out["usage"]["input_tokens"] == 200 and out["usage"]["cache_read_input_tokens"] == 800


def test_refusal_becomes_text():
    assert convert({"content": None, "refusal": "I can't help with that."})["content"][0]["text"] == \
        "I can't help with that."

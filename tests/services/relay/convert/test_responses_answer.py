"""Chat completion -> Response object, and the openai.responses usage dialect."""
from __future__ import annotations

import pytest

from services.billing.pricing import Usage
from services.relay.convert.responses import (ToolKinds, chat_to_responses_answer, counting_ids, id_source,
                                              new_id)
from services.relay.dialects import openai_responses

from .responses_checks import check_response

REQUEST = {"model": "gpt-x", "instructions": "sys", "input": "hi", "store": False,
           "tools": [{"type": "function", "name": "shell", "parameters": {"type": "object", "properties": {}}},
                     {"type": "custom", "name": "apply_patch"}, {"type": "local_shell"}],
           "tool_choice": "auto", "parallel_tool_calls": True, "max_output_tokens": 500,
           "reasoning": {"effort": "low", "summary": None}}
KINDS = ToolKinds(custom={"apply_patch"}, local_shell={"local_shell"})


def completion(message, finish="stop", usage=None):
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "up",
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
            **({"usage": usage} if usage else {})}


def answer(comp, usage=None, request=REQUEST):
    with id_source(counting_ids()):
        out = chat_to_responses_answer(comp, KINDS, response_id="resp_9", model="gpt-x",
                                       created_at=1700000000, usage=usage, request=request)
    check_response(out)
    return out


def test_text_answer():
    out = answer(completion({"content": "Hello"}), usage=Usage(prompt_tokens=10, completion_tokens=2))
    assert out["id"] == "resp_9" and out["object"] == "response" and out["status"] == "completed"
    assert out["created_at"] == 1700000000 and out["model"] == "gpt-x"
    assert out["incomplete_details"] is None and out["error"] is None
    assert out["output"] == [{"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
                              "content": [{"type": "output_text", "text": "Hello", "annotations": [],
                                           "logprobs": []}]}]
    assert out["usage"] == {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0,
                                                                         "cache_write_tokens": 0},
                            "output_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0},
                            "total_tokens": 12}
    for key in ("instructions", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens",
                "reasoning", "store"):
        assert out[key] == REQUEST[key]
    assert out["text"] == {"format": {"type": "text"}} and out["metadata"] == {}
    assert out["temperature"] is None and out["previous_response_id"] is None


def test_usage_falls_back_to_the_completion():
    out = answer(completion({"content": "x"}, usage={"prompt_tokens": 7, "completion_tokens": 3,
                                                     "prompt_tokens_details": {"cached_tokens": 4}}))
    assert out["usage"]["input_tokens"] == 7 and out["usage"]["input_tokens_details"]["cached_tokens"] == 4
    out = answer(completion({"content": "x"}))
    assert out["usage"]["total_tokens"] == 0
    assert type(out["usage"]["output_tokens_details"]["reasoning_tokens"]) is int


def test_reasoning_message_and_calls_in_order():
    out = answer(completion({
        "content": "Working.", "reasoning_content": "think first",
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": '{"command":["ls"]}'}},
            {"id": "c2", "type": "function", "function": {"name": "apply_patch",
                                                          "arguments": '{"input":"*** Begin Patch"}'}},
            {"id": "c3", "type": "function", "function": {"name": "local_shell",
                                                          "arguments": '{"command":["pwd"],"timeout_ms":50}'}},
        ]}, finish="tool_calls"))
    assert [i["type"] for i in out["output"]] == ["reasoning", "message", "function_call",
                                                  "custom_tool_call", "local_shell_call"]
    assert out["output"][0] == {"id": "rs_1", "type": "reasoning",
                                "summary": [{"type": "summary_text", "text": "think first"}]}
    assert out["output"][2] == {"id": "fc_3", "type": "function_call", "status": "completed", "call_id": "c1",
                                "name": "shell", "arguments": '{"command":["ls"]}'}
    assert out["output"][3]["input"] == "*** Begin Patch" and out["output"][3]["call_id"] == "c2"
    assert out["output"][4]["action"] == {"type": "exec", "command": ["pwd"], "env": {}, "timeout_ms": 50}
    assert out["status"] == "completed"


def test_calls_only_no_message_item():
    out = answer(completion({"content": None, "tool_calls": [
        {"type": "function", "function": {"name": "shell", "arguments": {"command": ["ls"]}}}]}, "tool_calls"))
    assert [i["type"] for i in out["output"]] == ["function_call"]
    assert out["output"][0]["call_id"].startswith("call_")
    assert out["output"][0]["arguments"] == '{"command":["ls"]}'


@pytest.mark.parametrize("reason, detail", [("length", "max_output_tokens"), ("content_filter", "content_filter")])
def test_incomplete(reason, detail):
    out = answer(completion({"content": "cut"}, finish=reason))
    assert out["status"] == "incomplete" and out["incomplete_details"] == {"reason": detail}
    assert out["output"][0]["status"] == "incomplete"


def test_refusal():
    out = answer(completion({"content": None, "refusal": "no"}))
    assert out["output"][0]["content"] == [{"type": "refusal", "refusal": "no"}]


def test_new_id_prefixes_and_injection():
    assert new_id("msg").startswith("msg_") and new_id("msg") != new_id("msg")
    with id_source(lambda prefix: prefix + "_fixed"):
        assert new_id("fc") == "fc_fixed"
    assert new_id("fc") != "fc_fixed"


# --- the usage dialect ------------------------------------------------------

def test_read_usage():
    usage = openai_responses.read_usage({
        "input_tokens": 100, "input_tokens_details": {"cached_tokens": 40},
        "output_tokens": 30, "output_tokens_details": {"reasoning_tokens": 12}, "total_tokens": 130})
    assert usage == Usage(prompt_tokens=100, completion_tokens=30, cached_tokens=40, reasoning_tokens=12)


@pytest.mark.parametrize("raw", [None, "x", 5, []])
def test_read_usage_none(raw):
    assert openai_responses.read_usage(raw) is None


def test_read_usage_tolerant():
    usage = openai_responses.read_usage({"input_tokens": "12", "input_tokens_details": None,
                                         "output_tokens": None, "output_tokens_details": "bad"})
    assert usage == Usage(prompt_tokens=12)
    assert openai_responses.read_usage({"input_tokens": -3, "output_tokens": 2.9}) == Usage(completion_tokens=2)
    assert openai_responses.read_usage({"input_tokens": 9, "input_tokens_details": {
        "cached_tokens": 1, "cache_write_tokens": 5}}).cache_write_tokens == 5


def test_usage_dict_always_complete():
    assert openai_responses.usage_dict(Usage()) == {
        "input_tokens": 0, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 0, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 0}
    usage = Usage(prompt_tokens=5, completion_tokens=7, cached_tokens=2, cache_write_tokens=1, reasoning_tokens=3)
    assert openai_responses.read_usage(openai_responses.usage_dict(usage)) == usage
    assert openai_responses.NAME == "openai.responses"

"""Chat client on a Responses-only channel: request, answer and stream, and
round trips through both directions."""
from __future__ import annotations

import json

import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from services.billing.pricing import Usage
from services.relay.convert.responses import (ChatChunksFromResponses, ConversionError, ResponsesStreamError,
                                              ResponsesStreamWriter, ToolKinds, chat_to_responses_answer,
                                              chat_to_responses_request, counting_ids, id_source,
                                              responses_to_chat_completion, responses_to_chat_request)

from .responses_checks import check_responses_events

CHAT_TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                                "parameters": {"type": "object",
                                                               "properties": {"city": {"type": "string"}}}}}]


def test_chat_request_to_responses():
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True},
            "messages": [
                {"role": "system", "content": "sys one"}, {"role": "developer", "content": "sys two"},
                {"role": "user", "content": [{"type": "text", "text": "weather?"},
                                             {"type": "image_url", "image_url": {"url": "https://x/i.png",
                                                                                 "detail": "high"}}]},
                {"role": "assistant", "content": "Checking.", "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "get_weather",
                                                                  "arguments": '{"city":"Oslo"}'}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "rain"},
                {"role": "user", "content": "thanks"}],
            "tools": CHAT_TOOLS, "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"},
                                                                       "strict": True}},
            "max_tokens": 100, "temperature": 0.5, "reasoning_effort": "low", "parallel_tool_calls": False,
            "stop": ["x"], "n": 1}
    out = chat_to_responses_request(body, upstream_model="gpt-up", max_output_tokens=100)
    assert out["model"] == "gpt-up" and out["store"] is False and out["stream"] is True
    assert out["instructions"] == "sys one\n\nsys two"
    assert out["input"] == [
        {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "weather?"},
            {"type": "input_image", "image_url": "https://x/i.png", "detail": "high"}]},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "Checking.", "annotations": []}]},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"Oslo"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "rain"},
        {"type": "message", "role": "user", "content": "thanks"}]
    assert out["tools"] == [{"type": "function", "name": "get_weather", "description": "Weather",
                             "parameters": CHAT_TOOLS[0]["function"]["parameters"], "strict": False}]
    assert out["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert out["text"] == {"format": {"type": "json_schema", "name": "w", "schema": {"type": "object"},
                                      "strict": True}}
    assert out["max_output_tokens"] == 100 and out["temperature"] == 0.5
    assert out["reasoning"] == {"effort": "low"} and out["parallel_tool_calls"] is False
    for dropped in ("messages", "max_tokens", "stop", "n", "stream_options", "response_format"):
        assert dropped not in out


def test_chat_request_bad():
    with pytest.raises(ConversionError):
        chat_to_responses_request({"messages": "x"}, upstream_model="m", max_output_tokens=None)
    with pytest.raises(ConversionError):
        chat_to_responses_request({"messages": [{"role": "wizard"}]}, upstream_model="m", max_output_tokens=None)


RESPONSE = {
    "id": "resp_abc", "object": "response", "created_at": 1700000000, "status": "completed", "model": "gpt-up",
    "output": [
        {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "hmm"}]},
        {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "It rains.", "annotations": []}]},
        {"id": "fc_1", "type": "function_call", "call_id": "c9", "name": "get_weather",
         "arguments": '{"city":"Bergen"}', "status": "completed"}],
    "usage": {"input_tokens": 50, "input_tokens_details": {"cached_tokens": 10}, "output_tokens": 20,
              "output_tokens_details": {"reasoning_tokens": 4}, "total_tokens": 70}}


def test_response_to_chat_completion():
    out = responses_to_chat_completion(RESPONSE, model="client-model")
    ChatCompletion.model_validate(out)
    assert out["id"] == "chatcmpl-abc" and out["model"] == "client-model" and out["created"] == 1700000000
    message = out["choices"][0]["message"]
    assert message["content"] == "It rains." and message["reasoning_content"] == "hmm"
    assert message["tool_calls"] == [{"id": "c9", "type": "function",
                                      "function": {"name": "get_weather", "arguments": '{"city":"Bergen"}'}}]
    assert out["choices"][0]["finish_reason"] == "tool_calls"
    assert out["usage"] == {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70,
                            "prompt_tokens_details": {"cached_tokens": 10},
                            "completion_tokens_details": {"reasoning_tokens": 4}}


@pytest.mark.parametrize("reason, finish", [("max_output_tokens", "length"), ("content_filter", "content_filter")])
def test_incomplete_response_finish_reason(reason, finish):
    response = {**RESPONSE, "status": "incomplete", "incomplete_details": {"reason": reason}, "output": []}
    out = responses_to_chat_completion(response, model="m")
    assert out["choices"][0]["finish_reason"] == finish and out["choices"][0]["message"]["content"] == ""


def responses_events(writer_chunks, kinds=None, usage=None):
    writer = ResponsesStreamWriter(kinds or ToolKinds(), response_id="resp_s", model="gpt-up",
                                   created_at=1700000000, request={})
    events = writer.start()
    for c in writer_chunks:
        events += writer.feed(c)
    return events + writer.finish(usage)


def chunk(delta=None, finish=None):
    return {"id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 1, "model": "up",
            "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}]}


def accumulate(chunks):
    state = ChatCompletionStreamState()
    for c in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(c))
    return state.get_final_completion()


SOURCE_CHUNKS = [
    chunk({"role": "assistant", "content": ""}), chunk({"reasoning_content": "let me see"}),
    chunk({"content": "Looking "}), chunk({"content": "it up."}),
    chunk({"tool_calls": [{"index": 0, "id": "c1", "type": "function",
                           "function": {"name": "get_weather", "arguments": '{"ci'}}]}),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty":"Oslo"}'}}]}),
    chunk({"tool_calls": [{"index": 1, "id": "c2", "type": "function",
                           "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'}}]}),
    chunk({}, finish="tool_calls")]


def test_chat_chunks_from_responses_stream():
    with id_source(counting_ids()):
        events = responses_events(SOURCE_CHUNKS, usage=Usage(prompt_tokens=9, completion_tokens=4))
    check_responses_events(events)
    reader = ChatChunksFromResponses(model="client-model")
    out = []
    for name, data in events:
        out += reader.feed(name, data)
    out += reader.finish()
    assert out[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert all(c["id"] == "chatcmpl-s" and c["model"] == "client-model" for c in out)
    finish = [c for c in out if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1 and finish[0]["choices"][0]["finish_reason"] == "tool_calls"
    assert out[-1]["choices"] == [] and out[-1]["usage"]["prompt_tokens"] == 9
    assert reader.usage == Usage(prompt_tokens=9, completion_tokens=4)
    final = accumulate(out)
    message = final.choices[0].message
    assert message.content == "Looking it up."
    assert [(c.id, c.function.name, c.function.arguments) for c in message.tool_calls] == [
        ("c1", "get_weather", '{"city":"Oslo"}'), ("c2", "get_weather", '{"city":"Rome"}')]
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content", "") for c in out if c["choices"])
    assert reasoning == "let me see"


def test_chat_chunks_arguments_only_at_done():
    reader = ChatChunksFromResponses(model="m", include_usage=False)
    item = {"id": "fc_1", "type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"a":1}',
            "status": "completed"}
    out = reader.feed("response.created", {"type": "response.created", "response": {"id": "resp_1"}})
    out += reader.feed("response.output_item.done", {"type": "response.output_item.done", "item": item})
    out += reader.feed("response.completed", {"type": "response.completed",
                                              "response": {"id": "resp_1", "status": "completed", "usage": None}})
    final = accumulate(out)
    assert final.choices[0].message.tool_calls[0].function.arguments == '{"a":1}'
    assert final.choices[0].finish_reason == "tool_calls"
    assert reader.feed("response.output_text.delta", {"delta": "late"}) == []


def test_chat_chunks_failed_and_error_raise():
    reader = ChatChunksFromResponses(model="m")
    with pytest.raises(ResponsesStreamError) as caught:
        reader.feed("response.failed", {"type": "response.failed", "response": {
            "id": "r", "status": "failed", "error": {"code": "rate_limit_exceeded", "message": "slow"}}})
    assert caught.value.code == "rate_limit_exceeded" and caught.value.message == "slow"
    with pytest.raises(ResponsesStreamError) as caught:
        ChatChunksFromResponses(model="m").feed("error", {"type": "error", "code": "server_error",
                                                          "message": "boom"})
    assert caught.value.code == "server_error"


def test_chat_chunks_eof_without_terminal():
    reader = ChatChunksFromResponses(model="m")
    out = reader.feed("response.output_text.delta", {"type": "response.output_text.delta", "delta": "hi",
                                                     "item_id": "m1"})
    out += reader.finish()
    assert out[-1]["choices"][0]["finish_reason"] == "stop" and reader.finish() == []


def test_request_round_trip():
    """chat -> Responses -> chat keeps messages, tools and limits."""
    chat = {"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "q"},
                         {"role": "assistant", "content": None, "tool_calls": [
                             {"id": "c1", "type": "function", "function": {"name": "get_weather",
                                                                           "arguments": "{}"}}]},
                         {"role": "tool", "tool_call_id": "c1", "content": "sun"},
                         {"role": "assistant", "content": "Sunny."}],
            "tools": CHAT_TOOLS, "tool_choice": "auto", "temperature": 0.1}
    responses = chat_to_responses_request(chat, upstream_model="m", max_output_tokens=64)
    back, kinds = responses_to_chat_request(responses, upstream_model="m", max_output_tokens=64)
    assert back["messages"] == chat["messages"]
    assert back["tools"][0]["function"]["name"] == "get_weather"
    assert back["tools"][0]["function"]["parameters"] == CHAT_TOOLS[0]["function"]["parameters"]
    assert back["tool_choice"] == "auto" and back["temperature"] == 0.1 and back["max_tokens"] == 64
    assert kinds == ToolKinds()


def test_answer_round_trip_with_custom_tool():
    """A Codex apply_patch call: chat answer -> Response -> next turn's chat request."""
    kinds = ToolKinds(custom={"apply_patch"})
    comp = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "Patching.", "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "apply_patch", "arguments": json.dumps({"input": "*** Begin Patch\n+x"})}}]}}]}
    response = chat_to_responses_answer(comp, kinds, response_id="resp_1", model="m", created_at=1,
                                        usage=None, request={})
    assert response["output"][1]["type"] == "custom_tool_call"
    history = [{"role": "user", "content": "edit"}] + response["output"] + [
        {"type": "custom_tool_call_output", "call_id": "c1", "output": "Done!"}]
    back, _ = responses_to_chat_request({"tools": [{"type": "custom", "name": "apply_patch"}], "input": history},
                                        upstream_model="m", max_output_tokens=None)
    assert back["messages"][1]["content"] == "Patching."
    args = json.loads(back["messages"][1]["tool_calls"][0]["function"]["arguments"])
    assert args == {"input": "*** Begin Patch\n+x"}
    assert back["messages"][2] == {"role": "tool", "tool_call_id": "c1", "content": "Done!"}
    # And a chat client reading that Response gets the call back as a function.
    completion = responses_to_chat_completion(response, model="m")
    assert json.loads(completion["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]) == args

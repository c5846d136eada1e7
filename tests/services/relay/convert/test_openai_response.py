"""Anthropic message / SSE events -> OpenAI completion / chunks."""
from __future__ import annotations

import json

import pytest
from openai.types.chat import ChatCompletion

from services.relay.convert import OpenAIChunkWriter, UpstreamStreamError, anthropic_to_openai_completion

from .stream_checks import openai_final

USAGE = {"input_tokens": 40, "output_tokens": 9, "cache_read_input_tokens": 60, "cache_creation_input_tokens": 0}


# --- non-stream ----------------------------------------------------------------------------

def message(content, stop="end_turn"):
    return {"id": "msg_abc", "type": "message", "role": "assistant", "model": "claude-up",
            "content": content, "stop_reason": stop, "stop_sequence": None, "usage": USAGE}


def convert(content, stop="end_turn"):
    out = anthropic_to_openai_completion(message(content, stop), model="gpt-x")
    ChatCompletion.model_validate(out)
    return out


def test_text_completion():
    out = convert([{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}])
    assert out["object"] == "chat.completion" and out["model"] == "gpt-x" and out["id"] == "chatcmpl-abc"
    choice = out["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "Hello world"}
    assert choice["finish_reason"] == "stop"
    assert out["usage"] == {"prompt_tokens": 100, "completion_tokens": 9, "total_tokens": 109,
                            "prompt_tokens_details": {"cached_tokens": 60}}


def test_tool_use_and_thinking():
    out = convert([{"type": "thinking", "thinking": "Plan.", "signature": "sig"},
                   {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}],
                  stop="tool_use")
    reply = out["choices"][0]["message"]
    assert reply["content"] is None and reply["reasoning_content"] == "Plan."
    assert reply["tool_calls"] == [{"id": "toolu_1", "type": "function",
                                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]
    assert out["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("stop, finish", [
    ("end_turn", "stop"), ("stop_sequence", "stop"), ("pause_turn", "stop"), ("max_tokens", "length"),
    ("model_context_window_exceeded", "length"), ("tool_use", "tool_calls"), ("refusal", "content_filter"),
    (None, "stop"),
])
def test_stop_reason_table(stop, finish):
    assert convert([{"type": "text", "text": "x"}], stop=stop)["choices"][0]["finish_reason"] == finish


# --- stream ----------------------------------------------------------------------------------

def start(usage=None):
    msg = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-up", "content": [],
           "stop_reason": None, "stop_sequence": None,
           "usage": usage or {"input_tokens": 40, "output_tokens": 1, "cache_read_input_tokens": 60,
                              "cache_creation_input_tokens": 0}}
    return ("message_start", {"type": "message_start", "message": msg})


def block_start(index, block):
    return ("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})


def delta(index, body):
    return ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": body})


def stop(index):
    return ("content_block_stop", {"type": "content_block_stop", "index": index})


def message_delta(reason, output_tokens):
    return ("message_delta", {"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": None},
                              "usage": {"output_tokens": output_tokens}})


END = ("message_stop", {"type": "message_stop"})


def run(events, include_usage=True):
    writer = OpenAIChunkWriter(model="gpt-x", include_usage=include_usage, completion_id="chatcmpl-1")
    chunks = [c for name, data in events for c in writer.feed(name, data)]
    return writer, chunks


TOOL_STREAM = [
    start(),
    block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
    delta(0, {"type": "thinking_delta", "thinking": "Need weather."}),
    delta(0, {"type": "signature_delta", "signature": "EqQBCkYIBx"}),
    stop(0),
    block_start(1, {"type": "text", "text": ""}),
    delta(1, {"type": "text_delta", "text": "Checking."}),
    stop(1),
    block_start(2, {"type": "tool_use", "id": "toolu_a", "name": "get_weather", "input": {}}),
    delta(2, {"type": "input_json_delta", "partial_json": '{"city": '}),
    delta(2, {"type": "input_json_delta", "partial_json": '"Paris"}'}),
    stop(2),
    block_start(3, {"type": "tool_use", "id": "toolu_b", "name": "get_weather", "input": {}}),
    delta(3, {"type": "input_json_delta", "partial_json": '{"city": "Rome"}'}),
    stop(3),
    ("ping", {"type": "ping"}),
    message_delta("tool_use", 5),
    message_delta("tool_use", 42),
    END,
]


def test_tool_stream_indexes_count_tool_blocks_only():
    writer, chunks = run(TOOL_STREAM)
    tool_chunks = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks
                   if c["choices"] and "tool_calls" in c["choices"][0]["delta"]]
    assert [t["index"] for t in tool_chunks] == [0, 0, 0, 1, 1]
    assert tool_chunks[0] == {"index": 0, "id": "toolu_a", "type": "function",
                              "function": {"name": "get_weather", "arguments": ""}}
    final = openai_final(chunks)
    reply = final.choices[0].message
    assert reply.content == "Checking."
    assert [(c.id, json.loads(c.function.arguments)) for c in reply.tool_calls] == [
        ("toolu_a", {"city": "Paris"}), ("toolu_b", {"city": "Rome"})]
    assert final.choices[0].finish_reason == "tool_calls"
    assert writer.finish_reason == "tool_calls"


def test_first_chunk_is_the_role_and_deltas_map_fields():
    _, chunks = run(TOOL_STREAM)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert {"reasoning_content": "Need weather."} in deltas
    assert not any("signature" in json.dumps(d) or "EqQBCkYIBx" in json.dumps(d) for d in deltas)


def test_finish_then_usage_chunk_with_cumulative_output_tokens():
    writer, chunks = run(TOOL_STREAM)
    assert writer.finish() == []  # message_stop already closed everything
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1 and finish[0]["choices"][0]["delta"] == {}
    usage_chunks = [c for c in chunks if c["usage"]]
    assert len(usage_chunks) == 1 and usage_chunks[0]["choices"] == []
    assert chunks[-1] is usage_chunks[0] and chunks.index(finish[0]) == len(chunks) - 2
    # output_tokens are cumulative: the last value (42), not the sum (47).
    assert usage_chunks[0]["usage"] == {"prompt_tokens": 100, "completion_tokens": 42, "total_tokens": 142,
                                        "prompt_tokens_details": {"cached_tokens": 60}}
    assert writer.usage == usage_chunks[0]["usage"]
    assert all("usage" in c for c in chunks)


def test_without_include_usage_no_usage_chunk():
    writer, chunks = run(TOOL_STREAM, include_usage=False)
    assert all(c["choices"] for c in chunks) and all("usage" not in c for c in chunks)
    assert writer.usage["completion_tokens"] == 42  # still known for billing


def test_tool_first_gets_index_zero():
    events = [start(), block_start(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
              delta(0, {"type": "input_json_delta", "partial_json": "{}"}), stop(0),
              block_start(1, {"type": "text", "text": ""}), delta(1, {"type": "text_delta", "text": "done"}), stop(1),
              message_delta("tool_use", 3), END]
    _, chunks = run(events)
    final = openai_final(chunks)
    assert final.choices[0].message.tool_calls[0].id == "t" and final.choices[0].message.content == "done"


def test_text_stream_and_stop_reasons():
    events = [start(), block_start(0, {"type": "text", "text": ""}),
              delta(0, {"type": "text_delta", "text": "Hi"}), stop(0), message_delta("max_tokens", 1), END]
    _, chunks = run(events)
    final = openai_final(chunks)
    assert final.choices[0].message.content == "Hi" and final.choices[0].finish_reason == "length"
    assert all(c["id"] == "chatcmpl-1" and c["object"] == "chat.completion.chunk" for c in chunks)


def test_error_event_raises():
    writer = OpenAIChunkWriter(model="gpt-x", include_usage=False)
    writer.feed(*start())
    with pytest.raises(UpstreamStreamError) as caught:
        writer.feed("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    assert caught.value.error_type == "overloaded_error" and caught.value.message == "Overloaded"


def test_usage_is_none_before_any_event():
    assert OpenAIChunkWriter(model="m", include_usage=True).usage is None


def test_finish_at_eof_without_message_delta():
    writer, chunks = run([start(), block_start(0, {"type": "text", "text": ""}),
                          delta(0, {"type": "text_delta", "text": "cut"})])
    tail = writer.finish()
    assert tail[0]["choices"][0]["finish_reason"] == "stop" and tail[1]["choices"] == []
    assert tail[1]["usage"]["prompt_tokens"] == 100
    assert writer.finish() == []


def test_usage_chunk_waits_for_message_stop():
    writer, chunks = run(TOOL_STREAM[:-1])
    assert not any(c["usage"] for c in chunks)
    assert writer.feed(*END)[0]["usage"]["completion_tokens"] == 42

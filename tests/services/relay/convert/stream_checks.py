"""Validators for converted streams, shared by the stream tests.

`check_anthropic_events` enforces the invariants docs/protocols.md §3 lists and then
replays the events through the anthropic SDK's own accumulator, so a stream
that passes is one the official client can consume.
"""
from __future__ import annotations

import json

from anthropic.lib.streaming._messages import accumulate_event
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

DELTA_FOR_BLOCK = {
    "text": {"text_delta"},
    "thinking": {"thinking_delta", "signature_delta"},
    "tool_use": {"input_json_delta"},
}
STOP_REASONS = {"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"}


def check_anthropic_events(events: list[tuple[str, dict]]):
    """Assert the events form one valid Anthropic message stream; return the
    message the SDK accumulates from them."""
    names = [name for name, _ in events if name != "ping"]
    assert names[0] == "message_start", names
    assert names[-2:] == ["message_delta", "message_stop"], names
    assert names.count("message_start") == names.count("message_delta") == names.count("message_stop") == 1
    for name, data in events:
        assert data["type"] == name
    _check_blocks([e for e in events if e[0].startswith("content_block")])
    final = next(data for name, data in events if name == "message_delta")
    assert final["delta"]["stop_reason"] in STOP_REASONS
    assert final["delta"]["stop_sequence"] is None
    assert final["usage"]["input_tokens"] > 0
    assert final["usage"]["output_tokens"] >= 0
    return accumulate(events)


def _check_blocks(block_events) -> None:
    open_index, open_type, next_index = None, None, 0
    seen_delta, last_delta = False, None
    for name, data in block_events:
        if name == "content_block_start":
            assert open_index is None, "a block opened while another is open"
            assert data["index"] == next_index, "block indexes must be contiguous"
            open_index, open_type = data["index"], data["content_block"]["type"]
            next_index += 1
            seen_delta, last_delta = False, None
        elif name == "content_block_delta":
            assert data["index"] == open_index, "delta for a block that is not open"
            assert data["delta"]["type"] in DELTA_FOR_BLOCK[open_type], (open_type, data["delta"]["type"])
            if data["delta"]["type"] == "text_delta":
                assert data["delta"]["text"], "empty text_delta"
            seen_delta, last_delta = True, data["delta"]["type"]
        else:
            assert data["index"] == open_index, "stop for a block that is not open"
            if open_type == "text":
                assert seen_delta, "empty text block"
            if open_type == "thinking":
                assert last_delta == "signature_delta", "thinking block stopped without a signature"
            open_index = None
    assert open_index is None, "a block was never stopped"


def accumulate(events):
    snapshot, buffers = None, {}
    for name, data in events:
        if name not in ("ping", "error"):
            snapshot = accumulate_event(event=data, current_snapshot=snapshot, json_bufs=buffers)
    return snapshot


def block_types(events) -> list[str]:
    return [d["content_block"]["type"] for n, d in events if n == "content_block_start"]


def openai_final(chunks: list[dict]):
    """Accumulate OpenAI chunks with the openai SDK's own helper."""
    state = ChatCompletionStreamState()
    for chunk in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(json.loads(json.dumps(chunk))))
    return state.current_completion_snapshot


# Builders of upstream chat stream chunks, for the writers' tests.

def chat_chunk(delta=None, finish=None, usage=None, choices=True) -> dict:
    data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "upstream",
            "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}] if choices else []}
    if usage is not None:
        data["usage"] = usage
    return data


def tool_call(index=None, id=None, name=None, args=None) -> dict:
    """One tool-call fragment, with only the fields given."""
    entry = {}
    if index is not None:
        entry["index"] = index
    if id is not None:
        entry.update(id=id, type="function")
    function = {k: v for k, v in (("name", name), ("arguments", args)) if v is not None}
    if function:
        entry["function"] = function
    return entry

"""Anthropic messages ("anthropic.messages"): the usage object.

Anthropic counts cache reads (`cache_read_input_tokens`) and cache writes
(`cache_creation_input_tokens`) apart from `input_tokens`; the normalized
Usage counts every input token in `prompt_tokens`, as OpenAI does. In a
stream, `message_start` carries the input side and each `message_delta` the
output so far: the last value counts, never the sum (merge, then read)."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count

NAME = "anthropic.messages"


def read_usage(usage) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    read = count(usage.get("cache_read_input_tokens"))
    write = count(usage.get("cache_creation_input_tokens"))
    return Usage(prompt_tokens=count(usage.get("input_tokens")) + read + write,
                 completion_tokens=count(usage.get("output_tokens")),
                 cached_tokens=read, cache_write_tokens=write)


def usage_dict(usage: Usage) -> dict:
    """`usage` as an Anthropic client reads it: input without the cached parts."""
    read, write = usage.cached_tokens, usage.cache_write_tokens
    return {
        "input_tokens": max(usage.prompt_tokens - read - write, 0),
        "output_tokens": usage.completion_tokens,
        "cache_creation_input_tokens": write,
        "cache_read_input_tokens": read,
    }


def observe_event(meter, event: dict) -> None:
    """Usage arrives in message_start (input) and message_delta (output,
    cumulative): merged, then read, so the last value counts."""
    kind = event.get("type")
    if kind == "content_block_delta":
        delta = event.get("delta") or {}
        meter.text(delta.get("text") or delta.get("thinking") or delta.get("partial_json"))
    elif kind == "message_start":
        _merge_usage(meter, (event.get("message") or {}).get("usage"))
    elif kind == "message_delta":
        _merge_usage(meter, event.get("usage"))
        reason = (event.get("delta") or {}).get("stop_reason")
        if reason:
            meter.finish_reason = reason


def _merge_usage(meter, usage) -> None:
    if not isinstance(usage, dict):
        return
    merged = {**meter.state.get("usage", {}), **{k: v for k, v in usage.items() if v is not None}}
    meter.state["usage"] = merged
    meter.usage = read_usage(merged)


def observe_answer(meter, message: dict) -> None:
    meter.usage = read_usage(message.get("usage"))
    for block in message.get("content") or ():
        if isinstance(block, dict):
            text = block.get("text") or block.get("thinking")
            if block.get("type") == "tool_use":
                text = str(block.get("input") or "")
            meter.text(text)
    if message.get("stop_reason"):
        meter.finish_reason = message["stop_reason"]

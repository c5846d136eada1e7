"""Anthropic Messages wire format: JSON bodies, SSE events and errors."""
from __future__ import annotations

import base64
import os

import orjson

from .behaviour import Plan, rand_id
from .openai_wire import DELTA, FINAL, PRE

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_DEFAULT_MESSAGES = {
    400: "Invalid request.",
    401: "invalid x-api-key",
    403: "Your API key does not have permission to use the specified resource.",
    404: "Not found.",
    429: "Number of request tokens has exceeded your per-minute rate limit.",
    500: "Internal server error",
    529: "Overloaded",
}
# OpenAI finish_reason values given to an Anthropic request are mapped to stop_reason.
_FINISH_MAP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use",
               "content_filter": "refusal", "function_call": "tool_use"}


def error_body(status: int, message: str | None = None, etype: str | None = None) -> bytes:
    return orjson.dumps({
        "type": "error",
        "error": {"type": etype or _ERROR_TYPES.get(status, "api_error"),
                  "message": message or _DEFAULT_MESSAGES.get(status, f"Upstream error {status}.")},
        "request_id": "req_" + rand_id(),
    })


def usage_dict(plan: Plan):
    o = plan.usage_overrides()
    if o is None:
        return None
    return {
        "input_tokens": o.get("input_tokens", o.get("prompt_tokens", plan.prompt_tokens)),
        "cache_creation_input_tokens": o.get("cache_creation_input_tokens", o.get("cache_write_tokens", 0)),
        "cache_read_input_tokens": o.get("cache_read_input_tokens", o.get("cached_tokens", 0)),
        "output_tokens": o.get("output_tokens", o.get("completion_tokens", plan.completion_tokens)),
    }


def stop_reason(plan: Plan) -> str:
    b = plan.b
    if b["stop_reason"]:
        return b["stop_reason"]
    if b["finish_reason"]:
        return _FINISH_MAP.get(b["finish_reason"], b["finish_reason"])
    return "tool_use" if plan.tools else "end_turn"


def _signature() -> str:
    return base64.b64encode(b"fake-signature:" + os.urandom(48)).decode()


def _tool_input(t):
    if isinstance(t.arguments, str):
        try:
            return orjson.loads(t.arguments)
        except orjson.JSONDecodeError:
            return {}
    return t.arguments


def message_body(plan: Plan, model) -> bytes:
    content = []
    if plan.reasoning:
        content.append({"type": "thinking", "thinking": "".join(plan.reasoning), "signature": _signature()})
    if plan.content:
        content.append({"type": "text", "text": plan.text})
    for t in plan.tools:
        content.append({"type": "tool_use", "id": t.id, "name": t.name, "input": _tool_input(t)})
    out = {"id": "msg_" + rand_id(), "type": "message", "role": "assistant", "model": model,
           "content": content, "stop_reason": stop_reason(plan), "stop_sequence": None}
    usage = usage_dict(plan)
    if usage is not None:
        out["usage"] = usage
    return orjson.dumps(out)


def _ev(name: bytes, obj) -> bytes:
    return b"event: " + name + b"\ndata: " + orjson.dumps(obj) + b"\n\n"


def stream_events(plan: Plan, model):
    """Yield (kind, bytes) for every SSE event of a streamed message."""
    usage = usage_dict(plan)
    msg = {"id": "msg_" + rand_id(), "type": "message", "role": "assistant", "model": model,
           "content": [], "stop_reason": None, "stop_sequence": None}
    if usage is not None:
        msg["usage"] = dict(usage, output_tokens=1)
    yield PRE, _ev(b"message_start", {"type": "message_start", "message": msg})
    yield PRE, _ev(b"ping", {"type": "ping"})
    index = 0
    if plan.reasoning:
        yield PRE, _ev(b"content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": {"type": "thinking", "thinking": "",
                                                                  "signature": ""}})
        for piece in plan.reasoning:
            yield DELTA, _ev(b"content_block_delta", {"type": "content_block_delta", "index": index,
                                                      "delta": {"type": "thinking_delta", "thinking": piece}})
        yield PRE, _ev(b"content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": {"type": "signature_delta", "signature": _signature()}})
        yield PRE, _ev(b"content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    if plan.content:
        yield PRE, _ev(b"content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": {"type": "text", "text": ""}})
        for piece in plan.content:
            yield DELTA, _ev(b"content_block_delta", {"type": "content_block_delta", "index": index,
                                                      "delta": {"type": "text_delta", "text": piece}})
        yield PRE, _ev(b"content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    for t in plan.tools:
        yield PRE, _ev(b"content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": {"type": "tool_use", "id": t.id,
                                                                  "name": t.name, "input": {}}})
        for piece in t.pieces:
            yield DELTA, _ev(b"content_block_delta", {"type": "content_block_delta", "index": index,
                                                      "delta": {"type": "input_json_delta",
                                                                "partial_json": piece}})
        yield PRE, _ev(b"content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    md = {"type": "message_delta", "delta": {"stop_reason": stop_reason(plan), "stop_sequence": None}}
    if usage is not None:
        md["usage"] = {"output_tokens": usage["output_tokens"]}
    yield FINAL, _ev(b"message_delta", md)
    yield FINAL, _ev(b"message_stop", {"type": "message_stop"})


def stream_error_event(plan: Plan) -> bytes:
    b = plan.b
    return _ev(b"error", {"type": "error", "error": {"type": b["error_type"] or "overloaded_error",
                                                     "message": b["error_message"] or "Overloaded"},
                          "request_id": "req_" + rand_id()})

"""OpenAI Chat Completions wire format: JSON bodies, SSE chunks and errors."""
from __future__ import annotations

import time

import orjson

from .behaviour import Plan, rand_id

PRE, DELTA, FINAL = 0, 1, 2  # event kinds (see app.drive_stream)

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    409: ("invalid_request_error", "conflict"),
    413: ("invalid_request_error", "request_too_large"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}
_DEFAULT_MESSAGES = {
    400: "Invalid request.",
    401: "Incorrect API key provided.",
    403: "Country, region, or territory not supported.",
    404: "The model does not exist or you do not have access to it.",
    429: "Rate limit reached for requests. Please try again in 1s.",
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The engine is currently overloaded, please try again later.",
}


def error_body(status: int, message: str | None = None, etype: str | None = None, code=None) -> bytes:
    dtype, dcode = _ERROR_TYPES.get(status, ("server_error", None))
    return orjson.dumps({"error": {
        "message": message or _DEFAULT_MESSAGES.get(status, f"Upstream error {status}."),
        "type": etype or dtype,
        "param": None,
        "code": code if code is not None else dcode,
    }})


def mask_key(key: str) -> str:
    return key[:5] + "***" + key[-2:] if len(key) > 8 else "***"


def auth_error_body(presented: str | None) -> bytes:
    if not presented:
        return orjson.dumps({"error": {
            "message": "You didn't provide an API key. You need to provide your API key in an Authorization "
                       "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "type": "invalid_request_error", "param": None, "code": None}})
    return orjson.dumps({"error": {
        "message": f"Incorrect API key provided: {mask_key(presented)}. You can find your API key at "
                   "https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})


def usage_dict(plan: Plan):
    o = plan.usage_overrides()
    if o is None:
        return None
    written = 0
    if not o:
        pt, ct, cached, rt = plan.prompt_tokens, plan.completion_tokens, 0, len(plan.reasoning)
        total = pt + ct
    else:
        pt = o.get("prompt_tokens", o.get("input_tokens", plan.prompt_tokens))
        ct = o.get("completion_tokens", o.get("output_tokens", plan.completion_tokens))
        cached = o.get("cached_tokens", o.get("cache_read_input_tokens", 0))
        written = o.get("cache_write_tokens", o.get("cache_creation_input_tokens", 0))
        rt = o.get("reasoning_tokens", len(plan.reasoning))
        total = o.get("total_tokens", pt + ct)
    details = {"cached_tokens": cached, "audio_tokens": 0}
    if written:  # OpenRouter reports prompt-cache writes here
        details["cache_write_tokens"] = written
    return {
        "prompt_tokens": pt,
        "completion_tokens": ct,
        "total_tokens": total,
        "prompt_tokens_details": details,
        "completion_tokens_details": {"reasoning_tokens": rt, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


def finish_reason(plan: Plan) -> str:
    return plan.b["finish_reason"] or ("tool_calls" if plan.tools else "stop")


def completion_body(plan: Plan, model) -> bytes:
    msg = {"role": "assistant", "content": plan.text if (plan.content or not plan.tools) else None,
           "refusal": None}
    if plan.reasoning:
        msg["reasoning_content"] = "".join(plan.reasoning)
    if plan.tools:
        msg["tool_calls"] = [{"id": t.id, "type": "function", "function": {"name": t.name, "arguments": t.args}}
                             for t in plan.tools]
    out = {
        "id": "chatcmpl-" + rand_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": msg, "logprobs": None, "finish_reason": finish_reason(plan)}],
        "system_fingerprint": "fp_fake",
    }
    usage = usage_dict(plan)
    if usage is not None:
        out["usage"] = usage
    return orjson.dumps(out)


def stream_events(plan: Plan, model, include_usage: bool):
    """Yield (kind, bytes) for every SSE event of a streamed completion."""
    b = plan.b
    cid = "chatcmpl-" + rand_id()
    created = int(time.time())
    usage = usage_dict(plan)
    with_finish = b["usage_with_finish"] and usage is not None
    send_usage_chunk = include_usage and usage is not None and not with_finish
    style = b["tool_index_style"]

    def chunk(delta, finish=None, use=None):
        c = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
             "system_fingerprint": "fp_fake",
             "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        if use is not None:
            c["usage"] = use
        elif include_usage:
            c["usage"] = None
        return b"data: " + orjson.dumps(c) + b"\n\n"

    yield PRE, chunk({"role": "assistant", "content": ""})

    def delta_iter():
        for piece in plan.reasoning:
            yield DELTA, {"reasoning_content": piece}
        for piece in plan.content:
            yield DELTA, {"content": piece}
        for i, t in enumerate(plan.tools):
            head = {"id": t.id, "type": "function", "function": {"name": t.name, "arguments": ""}}
            if style == "normal":
                head = {"index": i, **head}
            elif style == "zero":
                head = {"index": 0, **head}
            yield PRE, {"tool_calls": [head]}
            for piece in t.pieces:
                frag = {"function": {"arguments": piece}}
                if style == "normal":
                    frag = {"index": i, **frag}
                elif style == "zero":
                    frag = {"index": 0, **frag}
                yield DELTA, {"tool_calls": [frag]}

    fr = finish_reason(plan)
    final_use = usage if with_finish else None
    if b["combined_final"]:
        prev = None
        for item in delta_iter():
            if prev is not None:
                yield prev[0], chunk(prev[1])
            prev = item
        if prev is not None:
            yield prev[0], chunk(prev[1], fr, final_use)
        else:
            yield FINAL, chunk({}, fr, final_use)
    else:
        for kind, delta in delta_iter():
            yield kind, chunk(delta)
        yield FINAL, chunk({}, fr, final_use)
    if send_usage_chunk:
        c = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
             "system_fingerprint": "fp_fake", "choices": [], "usage": usage}
        yield FINAL, b"data: " + orjson.dumps(c) + b"\n\n"
    yield FINAL, b"data: [DONE]\n\n"


def text_completion_body(plan: Plan, model) -> bytes:
    """A legacy `text_completion` (POST /v1/completions)."""
    out = {"id": "cmpl-" + rand_id(), "object": "text_completion", "created": int(time.time()), "model": model,
           "choices": [{"text": plan.text, "index": 0, "logprobs": None, "finish_reason": finish_reason(plan)}]}
    usage = usage_dict(plan)
    if usage is not None:
        out["usage"] = usage
    return orjson.dumps(out)


def text_completion_events(plan: Plan, model, include_usage: bool):
    """A streamed legacy completion: one chunk per text piece, the finish
    chunk, the usage chunk (`choices: []`, with include_usage), `[DONE]`."""
    cid = "cmpl-" + rand_id()
    created = int(time.time())
    usage = usage_dict(plan)

    def chunk(text, finish=None):
        c = {"id": cid, "object": "text_completion", "created": created, "model": model,
             "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}]}
        return b"data: " + orjson.dumps(c) + b"\n\n"

    for piece in plan.content:
        yield DELTA, chunk(piece)
    yield FINAL, chunk("", finish_reason(plan))
    if include_usage and usage is not None:
        c = {"id": cid, "object": "text_completion", "created": created, "model": model, "choices": [],
             "usage": usage}
        yield FINAL, b"data: " + orjson.dumps(c) + b"\n\n"
    yield FINAL, b"data: [DONE]\n\n"


def stream_error_event(plan: Plan) -> bytes:
    b = plan.b
    return b"data: " + orjson.dumps({"error": {
        "message": b["error_message"] or "The server had an error while processing your request.",
        "type": b["error_type"] or "server_error", "param": None, "code": b["error_code"]}}) + b"\n\n"


def models_body(models) -> bytes:
    return orjson.dumps({"object": "list", "data": [
        {"id": m, "object": "model", "created": 1700000000, "owned_by": "fake-upstream"} for m in models]})

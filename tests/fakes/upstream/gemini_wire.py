"""Google Gemini API wire format (generateContent): JSON bodies, `alt=sse`
chunks and Google-shaped errors."""
from __future__ import annotations

import orjson

from .behaviour import Plan, rand_id
from .openai_wire import DELTA, FINAL, PRE

# Every GenerateContentRequest field; Gemini refuses any other ("Invalid JSON
# payload received. Unknown name ...").
REQUEST_FIELDS = frozenset({"contents", "systemInstruction", "tools", "toolConfig", "generationConfig",
                            "safetySettings", "cachedContent", "labels"})
_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL",
                 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
_DEFAULT_MESSAGES = {400: "Request contains an invalid argument.",
                     429: "Resource has been exhausted (e.g. check quota).",
                     500: "An internal error has occurred. Please retry or report in "
                          "https://developers.generativeai.google/guide/troubleshooting",
                     503: "The model is overloaded. Please try again later."}
_FINISH = {"stop": "STOP", "tool_calls": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}
THOUGHT_SIGNATURE = "ZmFrZS10aG91Z2h0LXNpZ25hdHVyZQ=="  # base64 "fake-thought-signature", on the first call


def error_body(status: int, message: str | None = None, status_name: str | None = None) -> bytes:
    return orjson.dumps({"error": {"code": status,
                                   "message": message or _DEFAULT_MESSAGES.get(status, f"Upstream error {status}."),
                                   "status": status_name or _STATUS_NAMES.get(status, "UNKNOWN")}})


def bad_key_body() -> bytes:
    return orjson.dumps({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                   "status": "INVALID_ARGUMENT",
                                   "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                                "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}})


def finish_reason(plan: Plan) -> str:
    reason = plan.b["finish_reason"]
    if reason:
        return _FINISH.get(reason, reason)
    return "STOP"


def usage_metadata(plan: Plan):
    """usageMetadata; overrides in Gemini's names, or the chat dialect's
    (prompt_tokens, completion_tokens including reasoning, cached_tokens,
    reasoning_tokens) so one table can speak to every fake dialect."""
    o = plan.usage_overrides()
    if o is None:
        return None
    thoughts = o.get("thoughtsTokenCount", o.get("reasoning_tokens", len(plan.reasoning)))
    prompt = o.get("promptTokenCount", o.get("prompt_tokens", o.get("input_tokens", plan.prompt_tokens)))
    if "candidatesTokenCount" in o:
        candidates = o["candidatesTokenCount"]
    elif "completion_tokens" in o or "output_tokens" in o:
        candidates = o.get("completion_tokens", o.get("output_tokens")) - thoughts
    else:
        candidates = plan.completion_tokens - len(plan.reasoning)
    cached = o.get("cachedContentTokenCount", o.get("cached_tokens", o.get("cache_read_input_tokens", 0)))
    tool_use = o.get("toolUsePromptTokenCount", 0)
    out = {"promptTokenCount": prompt, "candidatesTokenCount": candidates,
           "totalTokenCount": o.get("totalTokenCount", prompt + candidates + thoughts + tool_use),
           "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}]}
    if thoughts:
        out["thoughtsTokenCount"] = thoughts
    if cached:
        out["cachedContentTokenCount"] = cached
    if tool_use:
        out["toolUsePromptTokenCount"] = tool_use
    return out


def _call_part(tool, first: bool) -> dict:
    args = tool.arguments if isinstance(tool.arguments, dict) else {"raw": tool.arguments}
    part = {"functionCall": {"id": tool.id, "name": tool.name, "args": args}}
    if first:
        part["thoughtSignature"] = THOUGHT_SIGNATURE
    return part


def _parts(plan: Plan) -> list[dict]:
    parts = []
    if plan.reasoning:
        parts.append({"text": "".join(plan.reasoning), "thought": True})
    if plan.content or not plan.tools:
        parts.append({"text": plan.text})
    parts += [_call_part(t, i == 0) for i, t in enumerate(plan.tools)]
    return parts


def _response(parts: list[dict], model, response_id: str, finish=None, usage=None) -> dict:
    candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    out = {"candidates": [candidate]}
    if usage is not None:
        out["usageMetadata"] = usage
    out["modelVersion"] = model
    out["responseId"] = response_id
    return out


def response_body(plan: Plan, model) -> bytes:
    return orjson.dumps(_response(_parts(plan), model, rand_id(22), finish_reason(plan), usage_metadata(plan)))


def _sse(data: dict) -> bytes:
    return b"data: " + orjson.dumps(data) + b"\r\n\r\n"


def stream_events(plan: Plan, model):
    """(kind, bytes) for every chunk: thoughts, text deltas, whole function
    calls; the last chunk carries finishReason and usageMetadata (with
    `combined_final` on the last delta, else on an empty text part of its
    own). No [DONE]: the body just ends."""
    response_id = rand_id(22)
    usage = usage_metadata(plan)
    items = [(DELTA, {"text": piece, "thought": True}) for piece in plan.reasoning]
    items += [(DELTA, {"text": piece}) for piece in plan.content]
    items += [(DELTA, _call_part(t, i == 0)) for i, t in enumerate(plan.tools)]
    finish = finish_reason(plan)
    if plan.b["combined_final"] and items:
        for kind, part in items[:-1]:
            yield kind, _sse(_response([part], model, response_id))
        kind, part = items[-1]
        yield kind, _sse(_response([part], model, response_id, finish, usage))
        return
    for kind, part in items:
        yield kind, _sse(_response([part], model, response_id))
    yield FINAL, _sse(_response([{"text": ""}], model, response_id, finish, usage))


def stream_error_event(plan: Plan) -> bytes:
    b = plan.b
    status = b["status"] if b["status"] and b["status"] != 200 else 503
    return _sse(orjson.loads(error_body(status, b["error_message"], b["error_type"])))


__all__ = ["PRE", "REQUEST_FIELDS", "bad_key_body", "error_body", "response_body", "stream_error_event",
           "stream_events"]

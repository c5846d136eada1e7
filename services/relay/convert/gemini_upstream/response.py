"""A Gemini GenerateContentResponse as an OpenAI chat completion."""
from __future__ import annotations

import hashlib
import time
import uuid

import orjson

from services.billing.pricing import Usage
from services.relay.dialects import gemini, openai_chat

FILTERED = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                      "LANGUAGE"})


def finish_reason_for(reason: str | None, *, has_tool_calls: bool) -> str:
    """Gemini finishReason -> OpenAI finish_reason."""
    if reason == "MAX_TOKENS":
        return "length"
    if reason in FILTERED:
        return "content_filter"
    return "tool_calls" if has_tool_calls else "stop"


def tool_call_id(call: dict, response_id: str, candidate: int, n: int) -> str:
    """functionCall.id when Gemini gave one (it pairs the functionResponse),
    else one derived from the response id and the call's place: the same in
    a whole answer and in a stream, unique across turns."""
    if isinstance(call.get("id"), str) and call["id"]:
        return call["id"]
    digest = hashlib.sha256(f"{response_id}:{candidate}:{n}".encode()).hexdigest()[:24]
    return f"call_{digest}"


def tool_call(part: dict, response_id: str, candidate: int, n: int) -> dict:
    call = part["functionCall"]
    out = {"id": tool_call_id(call, response_id, candidate, n), "type": "function",
           "function": {"name": call.get("name") or "",
                        "arguments": orjson.dumps(call.get("args") or {}).decode()}}
    if part.get("thoughtSignature"):
        # The OpenAI-compatible convention: the client keeps it with the call
        # and sends it back; the request converter restores it on the part.
        out["extra_content"] = {"google": {"thought_signature": part["thoughtSignature"]}}
    return out


def response_id_of(answer: dict) -> str:
    value = answer.get("responseId")
    return value if isinstance(value, str) and value else uuid.uuid4().hex[:24]


def usage_of(answer: dict) -> dict:
    """The answer's usageMetadata as chat usage, through the dialects (the
    meter's reader)."""
    return openai_chat.usage_dict(gemini.read_usage(answer.get("usageMetadata")) or Usage())


def _message(candidate: dict, response_id: str, index: int) -> tuple[dict, str]:
    text, thoughts, calls = [], [], []
    for part in (candidate.get("content") or {}).get("parts") or ():
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("functionCall"), dict):
            calls.append(tool_call(part, response_id, index, len(calls)))
        elif isinstance(part.get("text"), str):
            (thoughts if part.get("thought") else text).append(part["text"])
    message: dict = {"role": "assistant", "content": "".join(text) if text or not calls else None}
    if thoughts:
        message["reasoning_content"] = "".join(thoughts)
    if calls:
        message["tool_calls"] = calls
    return message, finish_reason_for(candidate.get("finishReason"), has_tool_calls=bool(calls))


def gemini_to_chat_completion(answer: dict, *, model: str) -> dict:
    response_id = response_id_of(answer)
    choices = []
    for i, candidate in enumerate(c for c in answer.get("candidates") or () if isinstance(c, dict)):
        index = candidate.get("index") if isinstance(candidate.get("index"), int) else i
        message, reason = _message(candidate, response_id, index)
        choices.append({"index": index, "message": message, "finish_reason": reason, "logprobs": None})
    if not choices:  # the prompt itself was blocked (promptFeedback.blockReason)
        choices.append({"index": 0, "message": {"role": "assistant", "content": ""},
                        "finish_reason": "content_filter", "logprobs": None})
    return {"id": f"chatcmpl-{response_id}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": choices, "usage": usage_of(answer)}

"""Google's Gemini API ("gemini"): the usageMetadata object.

`promptTokenCount` counts the prompt, cached content included
(`cachedContentTokenCount`); tool-use prompts are counted apart
(`toolUsePromptTokenCount`) and billed as input too. `candidatesTokenCount`
is the answer without the thinking, which is `thoughtsTokenCount` and billed
as output. In a stream each chunk may carry the usage so far: the last one
counts."""
from __future__ import annotations

import orjson

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count

NAME = "gemini"


def read_usage(usage) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    thoughts = count(usage.get("thoughtsTokenCount"))
    return Usage(prompt_tokens=count(usage.get("promptTokenCount")) + count(usage.get("toolUsePromptTokenCount")),
                 completion_tokens=count(usage.get("candidatesTokenCount")) + thoughts,
                 cached_tokens=count(usage.get("cachedContentTokenCount")), reasoning_tokens=thoughts)


def usage_dict(usage: Usage | None) -> dict:
    """`usage` as Gemini clients read it (cache writes stay in the prompt:
    Gemini reports none)."""
    usage = usage or Usage()
    thoughts = min(usage.reasoning_tokens, usage.completion_tokens)
    out = {"promptTokenCount": usage.prompt_tokens,
           "candidatesTokenCount": usage.completion_tokens - thoughts,
           "totalTokenCount": usage.prompt_tokens + usage.completion_tokens}
    if usage.cached_tokens:
        out["cachedContentTokenCount"] = usage.cached_tokens
    if thoughts:
        out["thoughtsTokenCount"] = thoughts
    return out


def _observe_candidates(meter, payload: dict) -> None:
    for candidate in payload.get("candidates") or ():
        if not isinstance(candidate, dict):
            continue
        for part in (candidate.get("content") or {}).get("parts") or ():
            if not isinstance(part, dict):
                continue
            meter.text(part.get("text"))
            call = part.get("functionCall")
            if isinstance(call, dict):
                meter.text(str(call.get("name") or "") + orjson.dumps(call.get("args") or {}).decode())
        if candidate.get("finishReason"):
            meter.finish_reason = candidate["finishReason"]


def observe_event(meter, chunk: dict) -> None:
    """One streamed GenerateContentResponse."""
    _observe_candidates(meter, chunk)
    usage = read_usage(chunk.get("usageMetadata"))
    if usage is not None:
        meter.usage = usage


def observe_answer(meter, answer: dict) -> None:
    _observe_candidates(meter, answer)
    meter.usage = read_usage(answer.get("usageMetadata"))

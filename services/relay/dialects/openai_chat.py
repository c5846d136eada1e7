"""OpenAI chat completions ("openai.chat"): the usage object.

`prompt_tokens` includes every input token, cached or not. Cache reads are
`prompt_tokens_details.cached_tokens` (OpenAI, OpenRouter, Qwen) or DeepSeek's
top-level `prompt_cache_hit_tokens`; cache writes are OpenRouter's
`prompt_tokens_details.cache_write_tokens` (older names are accepted too);
reasoning tokens are part of `completion_tokens`."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count, first

NAME = "openai.chat"


def read_usage(usage) -> Usage | None:
    """The usage of an answer or a stream chunk; None when there is none."""
    if not isinstance(usage, dict):
        return None
    details = usage.get("prompt_tokens_details")
    details = details if isinstance(details, dict) else {}
    output_details = usage.get("completion_tokens_details")
    output_details = output_details if isinstance(output_details, dict) else {}
    read = first(details.get("cached_tokens"), usage.get("prompt_cache_hit_tokens"),
                 usage.get("cache_read_input_tokens"))
    write = first(details.get("cache_write_tokens"), details.get("cache_creation_tokens"),
                  details.get("cache_creation_input_tokens"), usage.get("cache_write_tokens"),
                  usage.get("cache_creation_tokens"), usage.get("cache_creation_input_tokens"))
    return Usage(prompt_tokens=count(usage.get("prompt_tokens")),
                 completion_tokens=count(usage.get("completion_tokens")),
                 cached_tokens=read, cache_write_tokens=write,
                 reasoning_tokens=count(output_details.get("reasoning_tokens")))


def usage_dict(usage: Usage) -> dict:
    """`usage` as an OpenAI client reads it."""
    details = {"cached_tokens": usage.cached_tokens}
    if usage.cache_write_tokens:
        # Not an OpenAI field, but OpenRouter's name for it: clients that
        # price cache writes find them where they look.
        details["cache_write_tokens"] = usage.cache_write_tokens
    out = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        "prompt_tokens_details": details,
    }
    if usage.reasoning_tokens:
        out["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning_tokens}
    return out


def observe_event(meter, chunk: dict) -> None:
    """Take one stream chunk into account (after it was relayed)."""
    usage = chunk.get("usage")
    if usage:
        meter.usage = read_usage(usage)
    for choice in chunk.get("choices") or ():
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta") or {}
        meter.text(delta.get("content"))
        meter.text(delta.get("reasoning_content") or delta.get("reasoning"))
        for call in delta.get("tool_calls") or ():
            fn = call.get("function") or {} if isinstance(call, dict) else {}
            meter.text((fn.get("name") or "") + (fn.get("arguments") or ""))
        if choice.get("finish_reason"):
            meter.finish_reason = choice["finish_reason"]


def observe_answer(meter, completion: dict) -> None:
    meter.usage = read_usage(completion.get("usage"))
    for choice in completion.get("choices") or ():
        if not isinstance(choice, dict):
            continue
        message = choice.get("message") or {}
        meter.text(message.get("content"))
        meter.text(message.get("reasoning_content"))
        for call in message.get("tool_calls") or ():
            fn = call.get("function") or {} if isinstance(call, dict) else {}
            meter.text((fn.get("name") or "") + (fn.get("arguments") or ""))
        if choice.get("finish_reason"):
            meter.finish_reason = choice["finish_reason"]

"""OpenAI Responses ("openai.responses"): the usage object.

`input_tokens` includes every input token, cached or not; cache reads are
`input_tokens_details.cached_tokens`, cache writes (where reported)
`input_tokens_details.cache_write_tokens`; `output_tokens` includes
`output_tokens_details.reasoning_tokens`."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count, first

NAME = "openai.responses"


def _details(value) -> dict:
    return value if isinstance(value, dict) else {}


def read_usage(usage) -> Usage | None:
    """The usage of a Response (or of a terminal stream event's response); None when there is none."""
    if not isinstance(usage, dict):
        return None
    details = _details(usage.get("input_tokens_details"))
    output_details = _details(usage.get("output_tokens_details"))
    return Usage(prompt_tokens=count(usage.get("input_tokens")),
                 completion_tokens=count(usage.get("output_tokens")),
                 cached_tokens=count(details.get("cached_tokens")),
                 cache_write_tokens=first(details.get("cache_write_tokens"),
                                          details.get("cache_creation_tokens")),
                 reasoning_tokens=count(output_details.get("reasoning_tokens")))


def usage_dict(usage: Usage | None) -> dict:
    """`usage` as Responses clients read it. Both details objects are always
    there with integers, and so is total_tokens: Codex fails to parse
    `response.completed` without them and replays the whole turn."""
    usage = usage or Usage()
    prompt, completion = count(usage.prompt_tokens), count(usage.completion_tokens)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": count(usage.cached_tokens),
                                 "cache_write_tokens": count(usage.cache_write_tokens)},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": count(usage.reasoning_tokens)},
        "total_tokens": prompt + completion,
    }


_TEXT_DELTAS = ("response.output_text.delta", "response.reasoning_summary_text.delta",
                "response.reasoning_text.delta", "response.function_call_arguments.delta",
                "response.custom_tool_call_input.delta", "response.refusal.delta")
_FINISH = {"completed": "stop", "incomplete": "length", "failed": "error"}


def observe_event(meter, event: dict) -> None:
    """Deltas count as generated text; the terminal event's response holds
    the usage (incomplete and failed ones too: billed for what was made)."""
    kind = event.get("type")
    if kind in _TEXT_DELTAS:
        meter.text(event.get("delta"))
        return
    response = event.get("response")
    if kind in ("response.completed", "response.incomplete", "response.failed") and isinstance(response, dict):
        usage = read_usage(response.get("usage"))
        if usage is not None:
            meter.usage = usage
        meter.finish_reason = _FINISH.get(response.get("status"), "stop")


def observe_answer(meter, response: dict) -> None:
    meter.usage = read_usage(response.get("usage"))
    for item in response.get("output") or ():
        if not isinstance(item, dict):
            continue
        for part in item.get("content") or item.get("summary") or ():
            if isinstance(part, dict):
                meter.text(part.get("text"))
        meter.text(item.get("arguments") if isinstance(item.get("arguments"), str) else item.get("input"))
    meter.finish_reason = _FINISH.get(response.get("status"), "stop")

"""OpenAI legacy completions ("openai.completions", POST /v1/completions):
the same usage object as chat (services.relay.dialects.openai_chat); the
generated text is `choices[].text`."""
from __future__ import annotations

from services.relay.dialects.openai_chat import read_usage, usage_dict

NAME = "openai.completions"

__all__ = ["NAME", "observe_answer", "observe_event", "read_usage", "usage_dict"]


def _observe_choices(meter, choices) -> None:
    for choice in choices or ():
        if not isinstance(choice, dict):
            continue
        meter.text(choice.get("text"))
        if choice.get("finish_reason"):
            meter.finish_reason = choice["finish_reason"]


def observe_event(meter, chunk: dict) -> None:
    if chunk.get("usage"):
        meter.usage = read_usage(chunk["usage"])
    _observe_choices(meter, chunk.get("choices"))


def observe_answer(meter, completion: dict) -> None:
    meter.usage = read_usage(completion.get("usage"))
    _observe_choices(meter, completion.get("choices"))

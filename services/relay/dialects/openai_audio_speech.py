"""OpenAI text to speech ("openai.audio.speech", POST /v1/audio/speech).

The answer is audio bytes, which carry no usage; token-billed models
(gpt-4o-mini-tts) streamed as SSE report theirs in `speech.audio.done`:
`{input_tokens, output_tokens, total_tokens}` (output tokens being audio).
The characters billed are the door's local measure (the input's length)."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count

NAME = "openai.audio.speech"


def read_usage(usage) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    return Usage(prompt_tokens=count(usage.get("input_tokens")),
                 completion_tokens=count(usage.get("output_tokens")))


def observe_event(meter, event: dict) -> None:
    if event.get("type") == "speech.audio.done" and event.get("usage"):
        meter.usage = read_usage(event["usage"])


def observe_answer(meter, answer: dict) -> None:
    meter.usage = read_usage(answer.get("usage"))

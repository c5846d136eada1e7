"""OpenAI speech to text ("openai.audio.transcriptions"; translations too):
POST /v1/audio/transcriptions and /v1/audio/translations.

Two usage shapes: whisper's `{type: "duration", seconds}` (billed per
second of audio) and gpt-4o-transcribe's `{type: "tokens", input_tokens,
output_tokens, input_token_details: {audio_tokens, text_tokens}}`. Text,
srt and vtt answers carry none: the door's local measure (the file's
duration) and the text seen are billed instead. Streams send
`transcript.text.delta` pieces, then `transcript.text.done` with the usage."""
from __future__ import annotations

import math

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count

NAME = "openai.audio.transcriptions"


def read_usage(usage) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    if usage.get("type") == "duration" or ("seconds" in usage and "input_tokens" not in usage):
        try:
            seconds = max(float(usage.get("seconds") or 0), 0.0)
        except (TypeError, ValueError, OverflowError):
            seconds = 0.0
        return Usage(audio_ms=math.ceil(seconds * 1000) if math.isfinite(seconds) else 0)
    return Usage(prompt_tokens=count(usage.get("input_tokens")),
                 completion_tokens=count(usage.get("output_tokens")))


def observe_event(meter, event: dict) -> None:
    kind = event.get("type")
    if kind == "transcript.text.delta":
        meter.text(event.get("delta"))
    elif kind == "transcript.text.done":
        if event.get("usage"):
            meter.usage = read_usage(event["usage"])
        if not meter.generated.ascii and not meter.generated.other:  # no deltas came: the whole text
            meter.text(event.get("text"))


def observe_answer(meter, answer: dict) -> None:
    meter.usage = read_usage(answer.get("usage"))
    meter.text(answer.get("text"))

"""OpenAI's Realtime API ("openai.realtime", a WebSocket at /v1/realtime):
what a session bills on.

Every response ends with a `response.done` event whose `response.usage` is
`{input_tokens, output_tokens, input_token_details: {cached_tokens,
text_tokens, audio_tokens, image_tokens}, output_token_details: {...}}`,
the same in the GA and the beta protocol. Input tokens (text, audio and
image alike, cached ones at the cached price) and output tokens are billed
at the model's token prices; image input tokens at its image input price.

A response cut short (the client hung up, the upstream went away) may never
see its `response.done`: its output is then estimated from the text the
relay saw go by (text deltas and audio transcript deltas)."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count
from services.relay.tokens import estimate_text_tokens

NAME = "openai.realtime"
DONE = "response.done"
# Text a response streams, under the GA names and the beta ones.
TEXT_DELTAS = frozenset({"response.output_text.delta", "response.text.delta",
                         "response.output_audio_transcript.delta", "response.audio_transcript.delta"})

__all__ = ["DONE", "NAME", "TEXT_DELTAS", "estimate", "observe_answer", "observe_event", "read_usage"]


def read_usage(usage) -> Usage | None:
    """A response's `usage`; None when it has none."""
    if not isinstance(usage, dict):
        return None
    details = usage.get("input_token_details")
    details = details if isinstance(details, dict) else {}
    prompt = count(usage.get("input_tokens"))
    return Usage(prompt_tokens=prompt, completion_tokens=count(usage.get("output_tokens")),
                 cached_tokens=min(count(details.get("cached_tokens")), prompt),
                 image_input_tokens=min(count(details.get("image_tokens")), prompt))


def estimate(text_seen: str) -> Usage:
    """A cut response: the output tokens of the text that was relayed."""
    return Usage(completion_tokens=estimate_text_tokens(text_seen), estimated=True)


def observe_event(meter, event) -> None:  # a session is metered by its pump, not a Meter
    return None


def observe_answer(meter, answer) -> None:
    return None

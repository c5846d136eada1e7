"""Counts what an upstream answer holds and what reached the client, so the
request is billed on real usage, or on a local estimate when there is none.
The upstream's dialect does the reading (services.relay.dialects): one
reader per wire format, shared with the converters."""
from __future__ import annotations

import time
from dataclasses import replace

from services.billing.pricing import Usage


class TextCounter:
    """Running estimate of generated tokens without keeping the text."""

    __slots__ = ("ascii", "other")

    def __init__(self):
        self.ascii = 0
        self.other = 0

    def add(self, text: str) -> None:
        n = len(text.encode("ascii", "ignore"))
        self.ascii += n
        self.other += len(text) - n

    @property
    def tokens(self) -> int:
        return -(-self.ascii // 4) + self.other


class Meter:
    def __init__(self, started: float, dialect):
        self.started = started
        self.dialect = dialect  # the upstream's: what its answers and events say
        self.first_token_at: float | None = None
        self.usage: Usage | None = None
        self.generated = TextCounter()
        self.finish_reason: str | None = None
        self.state: dict = {}  # the dialect's scratch space (partial usage across events)

    def observe(self, event: dict) -> None:
        """One upstream stream event, after it was relayed."""
        self.dialect.observe_event(self, event)

    def observe_answer(self, answer: dict) -> None:
        """A whole (non-stream) upstream answer."""
        self.dialect.observe_answer(self, answer)
        self.first_token_at = self.first_token_at or time.perf_counter()

    def text(self, text) -> None:
        """Generated text seen, for the estimate and the time to first token."""
        if not isinstance(text, str) or not text:
            return
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.generated.add(text)

    def billable(self, prompt_estimate: int, measure: Usage | None = None) -> Usage:
        """The upstream's usage, or an estimate of the prompt plus what was
        generated (marked as estimated). For unit-billed calls the units the
        upstream did not report come from the door's local `measure`."""
        if self.usage is not None:
            return self.usage.with_units_from(measure)
        if measure is not None:
            return replace(measure, completion_tokens=max(measure.completion_tokens, self.generated.tokens),
                           estimated=True)
        return Usage(prompt_tokens=prompt_estimate, completion_tokens=self.generated.tokens,
                     estimated=True)

    @property
    def ttft_ms(self) -> int | None:
        if self.first_token_at is None:
            return None
        return int((self.first_token_at - self.started) * 1000)

"""Counts what an upstream answer holds and what reached the client, so the
request is billed on real usage, or on a local estimate when there is none."""
from __future__ import annotations

import time

from services.pricing import Usage
from services.relay.dialects import anthropic_messages, openai_chat


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
    def __init__(self, started: float):
        self.started = started
        self.first_token_at: float | None = None
        self.usage: Usage | None = None
        self.generated = TextCounter()
        self.finish_reason: str | None = None
        self._raw_anthropic_usage: dict = {}

    def observe(self, chunk: dict) -> None:
        """Take one OpenAI chunk into account (call after it was relayed)."""
        usage = chunk.get("usage")
        if usage:
            self.usage = openai_chat.read_usage(usage)
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if text:
                self._text(text)
            text = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(text, str) and text:
                self._text(text)
            for call in delta.get("tool_calls") or ():
                fn = call.get("function") or {}
                piece = (fn.get("name") or "") + (fn.get("arguments") or "")
                if piece:
                    self._text(piece)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]

    def observe_completion(self, completion: dict) -> None:
        self.usage = openai_chat.read_usage(completion.get("usage"))
        for choice in completion.get("choices") or ():
            message = choice.get("message") or {}
            for text in (message.get("content"), message.get("reasoning_content")):
                if isinstance(text, str):
                    self.generated.add(text)
            for call in message.get("tool_calls") or ():
                fn = call.get("function") or {}
                self.generated.add((fn.get("name") or "") + (fn.get("arguments") or ""))

    def observe_anthropic(self, event: dict) -> None:
        """Take one Anthropic stream event into account. Usage arrives in
        message_start (input) and message_delta (output, cumulative: the last
        value counts, never the sum)."""
        kind = event.get("type")
        if kind == "content_block_delta":
            delta = event.get("delta") or {}
            text = delta.get("text") or delta.get("thinking") or delta.get("partial_json")
            if text:
                self._text(text)
        elif kind == "message_start":
            self._anthropic_usage((event.get("message") or {}).get("usage"))
        elif kind == "message_delta":
            self._anthropic_usage(event.get("usage"))
            reason = (event.get("delta") or {}).get("stop_reason")
            if reason:
                self.finish_reason = reason

    def observe_anthropic_message(self, message: dict) -> None:
        self.usage = anthropic_messages.read_usage(message.get("usage"))
        for block in message.get("content") or ():
            if isinstance(block, dict):
                text = block.get("text") or block.get("thinking")
                if block.get("type") == "tool_use":
                    text = str(block.get("input") or "")
                if isinstance(text, str):
                    self.generated.add(text)

    def _anthropic_usage(self, usage: dict | None) -> None:
        if not isinstance(usage, dict):
            return
        merged = {**self._raw_anthropic_usage, **{k: v for k, v in usage.items() if v is not None}}
        self._raw_anthropic_usage = merged
        self.usage = anthropic_messages.read_usage(merged)

    def _text(self, text: str) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.generated.add(text)

    def billable(self, prompt_estimate: int) -> Usage:
        """The upstream's usage, or an estimate of the prompt plus what was
        generated (marked as estimated)."""
        if self.usage is not None:
            return self.usage
        return Usage(prompt_tokens=prompt_estimate, completion_tokens=self.generated.tokens,
                     estimated=True)

    @property
    def ttft_ms(self) -> int | None:
        if self.first_token_at is None:
            return None
        return int((self.first_token_at - self.started) * 1000)

"""OpenAI chat chunks -> Anthropic SSE events (docs/protocols.md §3).

A state machine with at most one open content block. Invariants the tests
check: block indexes are contiguous, every start has a stop, deltas match
their block's type (no text_delta into a tool_use block), no empty text
block, thinking blocks end with a signature_delta, and the final
message_delta carries the stop_reason and the real usage.
"""
from __future__ import annotations

import json

from services.relay.tokens import estimate_text_tokens

from .common import content_text, new_message_id, new_tool_id, reasoning_text, route_fragment
from .errors import anthropic_error_body, anthropic_error_type
from .reasons import stop_reason_for
from .tool_names import ToolNames
from .usage import openai_usage_to_anthropic

Event = tuple[str, dict]


class _ToolCall:
    __slots__ = ("id", "name", "block")

    def __init__(self, call_id: str, name: str, block: int) -> None:
        self.id, self.name, self.block = call_id, name, block


class AnthropicStreamWriter:
    """Feed OpenAI chunks, get `(event_name, data)` pairs to send as SSE."""

    def __init__(self, *, model: str, input_tokens_estimate: int,
                 tool_names: ToolNames | None = None, message_id: str | None = None) -> None:
        self.model = model
        self.message_id = message_id or new_message_id()
        self.started = False
        self.usage: dict | None = None  # the upstream's own (OpenAI-shaped) usage
        self.finish_reason: str | None = None
        self.late_fragments = 0  # tool arguments for a block already closed (dropped)
        self._input_estimate = max(int(input_tokens_estimate or 0), 0)
        self._names = tool_names or ToolNames()
        self._next_index = 0
        self._open: tuple[int, str] | None = None  # (block index, block type)
        self._calls: list[_ToolCall] = []
        self._by_id: dict[str, _ToolCall] = {}
        self._by_index: dict[int, _ToolCall] = {}
        self._output: list[str] = []
        self._done = False

    # --- public ------------------------------------------------------------

    def feed(self, chunk: dict) -> list[Event]:
        """One OpenAI chunk in -> zero or more events out."""
        if self._done or not isinstance(chunk, dict):
            return []
        events = self._start()
        if isinstance(chunk.get("error"), dict):
            return events + [self._upstream_error(chunk["error"])]
        choice = _first_choice(chunk)
        if choice is not None:
            # Content before finish_reason: fake-streamed chunks carry both.
            events += self._delta(choice.get("delta") or {})
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
                events += self._close_open()
        if _has_usage(chunk.get("usage")):
            self.usage = chunk["usage"]
            # Usage arriving at or after finish_reason ends the message; usage
            # earlier on (cumulative on every chunk) just gets recorded.
            if self.finish_reason:
                events += self._final()
        return events

    def start(self) -> list[Event]:
        """message_start now (once), so the relay can open the stream and
        ping before the upstream's first chunk arrives."""
        return self._start()

    def finish(self) -> list[Event]:
        """At upstream [DONE] / EOF: close blocks, message_delta, message_stop."""
        if self._done:
            return []
        return self._start() + self._final()

    def ping(self) -> Event:
        """Keep-alive for long upstream silences (send after message_start)."""
        return ("ping", {"type": "ping"})

    def error(self, error_type: str, message: str) -> Event:
        """Mid-stream error event; the stream must end after it."""
        self._done = True
        return ("error", anthropic_error_body(error_type, message))

    @property
    def stop_reason(self) -> str:
        return stop_reason_for(self.finish_reason, has_tool_calls=bool(self._calls))

    @property
    def output_tokens_estimate(self) -> int:
        """Estimate of what was streamed, for billing without upstream usage."""
        return estimate_text_tokens("".join(self._output))

    # --- blocks ------------------------------------------------------------

    def _start(self) -> list[Event]:
        if self.started:
            return []
        self.started = True
        usage = {"input_tokens": self._input_estimate, "output_tokens": 0,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        message = {"id": self.message_id, "type": "message", "role": "assistant", "model": self.model,
                   "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}
        return [("message_start", {"type": "message_start", "message": message})]

    def _open_block(self, block: dict) -> list[Event]:
        events = self._close_open()
        index = self._next_index
        self._next_index += 1
        self._open = (index, block["type"])
        return events + [("content_block_start", {"type": "content_block_start", "index": index,
                                                  "content_block": block})]

    def _close_open(self) -> list[Event]:
        if self._open is None:
            return []
        index, kind = self._open
        self._open = None
        events = []
        if kind == "thinking":
            # Clients expect a signature before a thinking block ends; any value works.
            events.append(_delta(index, {"type": "signature_delta", "signature": ""}))
        return events + [("content_block_stop", {"type": "content_block_stop", "index": index})]

    def _ensure_open(self, kind: str, block: dict) -> list[Event]:
        if self._open is not None and self._open[1] == kind:
            return []
        return self._open_block(block)

    # --- deltas ------------------------------------------------------------

    def _delta(self, delta: dict) -> list[Event]:
        events = self._thinking(reasoning_text(delta))
        events += self._text(content_text(delta.get("content")))
        calls = delta.get("tool_calls")
        if not calls and isinstance(delta.get("function_call"), dict):
            calls = [{"function": delta["function_call"]}]  # legacy function calling
        for entry in calls or []:
            if isinstance(entry, dict):
                events += self._tool_fragment(entry)
        return events

    def _thinking(self, text: str) -> list[Event]:
        if not text:
            return []
        self._output.append(text)
        events = self._ensure_open("thinking", {"type": "thinking", "thinking": "", "signature": ""})
        return events + [_delta(self._open[0], {"type": "thinking_delta", "thinking": text})]

    def _text(self, text: str) -> list[Event]:
        # "" (the role chunk) must not open a block: empty text blocks break clients.
        if not text:
            return []
        self._output.append(text)
        events = self._ensure_open("text", {"type": "text", "text": ""})
        return events + [_delta(self._open[0], {"type": "text_delta", "text": text})]

    def _tool_fragment(self, entry: dict) -> list[Event]:
        function = entry.get("function") or {}
        call = self._route(entry, function)
        events: list[Event] = []
        if call is None:
            call, events = self._new_call(entry, function)
        arguments = function.get("arguments")
        if isinstance(arguments, (dict, list)):
            arguments = json.dumps(arguments, ensure_ascii=False)
        if not isinstance(arguments, str) or not arguments:
            return events
        if self._open != (call.block, "tool_use"):
            self.late_fragments += 1
            return events
        self._output.append(arguments)
        return events + [_delta(call.block, {"type": "input_json_delta", "partial_json": arguments})]

    def _route(self, entry: dict, function: dict) -> _ToolCall | None:
        return route_fragment(entry, function, self._by_id, self._by_index, self._calls)

    def _new_call(self, entry: dict, function: dict) -> tuple[_ToolCall, list[Event]]:
        call_id = entry.get("id") or new_tool_id()
        name = self._names.restore(function.get("name") or "")
        events = self._open_block({"type": "tool_use", "id": call_id, "name": name, "input": {}})
        call = _ToolCall(call_id, name, self._open[0])
        self._calls.append(call)
        self._by_id[call_id] = call
        if isinstance(entry.get("index"), int):
            self._by_index[entry["index"]] = call  # a reused index now means this call
        return call, events

    # --- end ---------------------------------------------------------------

    def _final(self) -> list[Event]:
        events = self._close_open()
        self._done = True
        delta = {"stop_reason": self.stop_reason, "stop_sequence": None}
        events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": self._final_usage()}))
        events.append(("message_stop", {"type": "message_stop"}))
        return events

    def _final_usage(self) -> dict:
        """Real usage when the upstream sent it, else estimates. input_tokens
        must be > 0 here: Claude Code ignores 0 and its context meter breaks."""
        if self.usage:
            usage = openai_usage_to_anthropic(self.usage)
            cached = usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"]
            if usage["input_tokens"] + cached == 0:
                usage["input_tokens"] = self._input_estimate
            return usage
        return {"input_tokens": self._input_estimate, "output_tokens": self.output_tokens_estimate,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}

    def _upstream_error(self, error: dict) -> Event:
        """Some upstreams (OpenRouter) report failures as a chunk with `error`."""
        code = error.get("code")
        status = code if isinstance(code, int) and 400 <= code < 600 else 500
        return self.error(anthropic_error_type(status), str(error.get("message") or "upstream error"))


def _delta(index: int, delta: dict) -> Event:
    return ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})


def _first_choice(chunk: dict) -> dict | None:
    for choice in chunk.get("choices") or []:
        if isinstance(choice, dict) and choice.get("index", 0) == 0:
            return choice
    return None


def _has_usage(usage) -> bool:
    """Ignore `usage: null` and the all-zero usage some servers put on every chunk."""
    return isinstance(usage, dict) and bool(usage.get("prompt_tokens") or usage.get("completion_tokens"))

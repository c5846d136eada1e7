"""OpenAI chat chunks from the upstream -> Gemini stream chunks.

Text deltas become `{text}` parts, reasoning deltas `{text, thought:
true}` parts (only when thoughts were asked for). Tool-call argument
fragments are buffered until the call is complete and sent as one
`functionCall` part, as Gemini does. One chunk is always held back, so the
last one can carry the finishReason and the usageMetadata: Gemini CLI
takes a stream whose last content chunk has no finishReason for a broken
one and retries it."""
from __future__ import annotations

from services.relay.adapters.base import StreamEvent
from services.relay.dialects import gemini, openai_chat

from ..common import reasoning_text
from .answer import candidate, finish_reason_for, function_call_part


class GeminiFromChat:
    def __init__(self, state, target):
        self.state = state
        self.model = target.client_model
        self.pending: dict | None = None   # the chunk held back
        self.calls: dict[int, dict] = {}    # index -> {id, name, arguments}
        self.finish_reason: str | None = None
        self.usage = None
        self.response_id = ""
        self.done = False

    def _chunk(self, parts: list[dict]) -> dict:
        return {"candidates": [candidate(parts)], "modelVersion": self.model, "responseId": self.response_id}

    def _emit(self, parts: list[dict]) -> list[StreamEvent]:
        held, self.pending = self.pending, self._chunk(parts)
        return [StreamEvent(held)] if held is not None else []

    def start(self) -> list[StreamEvent]:
        return []

    def _call_fragments(self, fragments) -> None:
        for position, fragment in enumerate(fragments or ()):
            if not isinstance(fragment, dict):
                continue
            index = fragment.get("index", position)
            index = index if isinstance(index, int) else position
            if fragment.get("id") and index in self.calls and self.calls[index]["id"] not in (None, fragment["id"]):
                index = max(self.calls) + 1  # every call at index 0, told apart by id
            call = self.calls.setdefault(index, {"id": None, "name": "", "arguments": ""})
            call["id"] = call["id"] or fragment.get("id")
            function = fragment.get("function") or {}
            call["name"] += function.get("name") or ""
            call["arguments"] += function.get("arguments") or ""

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        if event.last:
            return self.finish_stream()
        chunk = event.chunk or {}
        self.response_id = self.response_id or chunk.get("id") or ""
        if chunk.get("usage"):
            self.usage = openai_chat.read_usage(chunk["usage"])
        out: list[StreamEvent] = []
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta") or {}
            thought = reasoning_text(delta)
            if thought and self.state.include_thoughts:
                out += self._emit([{"text": thought, "thought": True}])
            if isinstance(delta.get("content"), str) and delta["content"]:
                out += self._emit([{"text": delta["content"]}])
            self._call_fragments(delta.get("tool_calls"))
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
                out += self._flush_calls()
        return out

    def _flush_calls(self) -> list[StreamEvent]:
        if not self.calls:
            return []
        parts = [function_call_part(c["id"], c["name"], c["arguments"], self.state.turn, i)
                 for i, c in enumerate(self.calls[k] for k in sorted(self.calls))]
        self.calls = {}
        return self._emit(parts)

    def finish_stream(self) -> list[StreamEvent]:
        if self.done:
            return []
        self.done = True
        out = self._flush_calls()
        last = self.pending or self._chunk([{"text": ""}])
        self.pending = None
        last["candidates"][0]["finishReason"] = finish_reason_for(self.finish_reason)
        last["usageMetadata"] = gemini.usage_dict(self.usage)
        return out + [StreamEvent(last, last=True)]

    def finish(self) -> list[StreamEvent]:
        return self.finish_stream()

    def ping(self) -> list[StreamEvent]:
        return []

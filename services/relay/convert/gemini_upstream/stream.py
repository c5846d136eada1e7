"""Streamed Gemini chunks (each a GenerateContentResponse) as OpenAI chat
chunks: a role chunk, content and reasoning deltas, one tool_call chunk per
functionCall (Gemini always sends a call whole), a finish chunk per
candidate, and a usage chunk (from the last usageMetadata) at the end."""
from __future__ import annotations

import time

from services.relay.dialects import gemini

from .response import finish_reason_for, response_id_of, tool_call, usage_of


class GeminiChunkTranslator:
    def __init__(self, *, model: str):
        self.model = model
        self.created = int(time.time())
        self.response_id: str | None = None
        self.roles: set[int] = set()
        self.calls: dict[int, int] = {}      # candidate -> tool calls so far
        self.finished: dict[int, str] = {}   # candidate -> finish_reason sent
        self.last_usage: dict | None = None

    @property
    def id(self) -> str:
        return f"chatcmpl-{self.response_id}"

    def _chunk(self, index: int, delta: dict, finish: str | None = None) -> dict:
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": index, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    def feed(self, data: dict) -> list[dict]:
        if self.response_id is None:
            self.response_id = response_id_of(data)
        if data.get("usageMetadata"):
            self.last_usage = data["usageMetadata"]
        out = []
        candidates = [c for c in data.get("candidates") or () if isinstance(c, dict)]
        for i, candidate in enumerate(candidates):
            index = candidate.get("index") if isinstance(candidate.get("index"), int) else i
            if index in self.finished:
                continue
            if index not in self.roles:
                self.roles.add(index)
                out.append(self._chunk(index, {"role": "assistant", "content": ""}))
            for part in (candidate.get("content") or {}).get("parts") or ():
                if not isinstance(part, dict):
                    continue
                if isinstance(part.get("functionCall"), dict):
                    n = self.calls.get(index, 0)
                    self.calls[index] = n + 1
                    out.append(self._chunk(index, {"tool_calls": [
                        {"index": n, **tool_call(part, self.response_id, index, n)}]}))
                elif isinstance(part.get("text"), str) and part["text"]:
                    key = "reasoning_content" if part.get("thought") else "content"
                    out.append(self._chunk(index, {key: part["text"]}))
            if candidate.get("finishReason"):
                out += self._finish(index, candidate["finishReason"])
        if not candidates and (data.get("promptFeedback") or {}).get("blockReason"):
            out += self._finish(0, "PROHIBITED_CONTENT")
        return out

    def _finish(self, index: int, reason: str) -> list[dict]:
        out = []
        if index not in self.roles:
            self.roles.add(index)
            out.append(self._chunk(index, {"role": "assistant", "content": ""}))
        finish = finish_reason_for(reason, has_tool_calls=bool(self.calls.get(index)))
        self.finished[index] = finish
        out.append(self._chunk(index, {}, finish))
        return out

    def finish(self) -> list[dict]:
        """The end of the upstream stream: a finish chunk for any candidate
        still open, then the usage chunk."""
        if self.response_id is None:
            self.response_id = response_id_of({})
        out = []
        for index in sorted(self.roles - set(self.finished)):
            out += self._finish(index, "STOP")
        if not self.roles:
            out += self._finish(0, "STOP")
        if gemini.read_usage(self.last_usage) is not None:
            out.append({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                        "model": self.model, "choices": [], "usage": usage_of({"usageMetadata": self.last_usage})})
        return out

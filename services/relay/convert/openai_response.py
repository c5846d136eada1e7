"""Anthropic message -> OpenAI chat completion, and the stream state machine
Anthropic SSE events -> OpenAI chunks (docs/protocols.md §4)."""
from __future__ import annotations

import json
import time

from .common import new_completion_id
from .reasons import finish_reason_for
from .usage import anthropic_usage_to_openai

__all__ = ["OpenAIChunkWriter", "UpstreamStreamError", "anthropic_to_openai_completion"]


def anthropic_to_openai_completion(message: dict, *, model: str) -> dict:
    """A non-stream Anthropic response -> an OpenAI chat completion."""
    blocks = [b for b in message.get("content") or [] if isinstance(b, dict)]
    # Citations split one answer into many text blocks: join without separators.
    text = "".join(b.get("text") or "" for b in blocks if b.get("type") == "text")
    thinking = "".join(b.get("thinking") or "" for b in blocks if b.get("type") == "thinking")
    calls = [_tool_call(b) for b in blocks if b.get("type") == "tool_use"]
    reply: dict = {"role": "assistant", "content": text or (None if calls else "")}
    if thinking:
        reply["reasoning_content"] = thinking
    if calls:
        reply["tool_calls"] = calls
    finish = finish_reason_for(message.get("stop_reason"), has_tool_calls=bool(calls))
    return {
        "id": _completion_id(message.get("id")),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": reply, "finish_reason": finish, "logprobs": None}],
        "usage": anthropic_usage_to_openai(message.get("usage") or {}),
    }


def _tool_call(block: dict) -> dict:
    arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
    return {"id": block.get("id") or "", "type": "function",
            "function": {"name": block.get("name") or "", "arguments": arguments}}


def _completion_id(message_id) -> str:
    if isinstance(message_id, str) and message_id:
        return f"chatcmpl-{message_id.removeprefix('msg_')}"
    return new_completion_id()


class UpstreamStreamError(Exception):
    """An Anthropic `error` event arrived mid-stream."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


class OpenAIChunkWriter:
    """Feed Anthropic SSE events, get OpenAI chunk dicts (the caller writes
    `data: {chunk}` for each, then `finish()`'s chunks, then `data: [DONE]`).

    message_delta -> the finish_reason chunk; message_stop -> the usage chunk
    (`choices: []`) when include_usage was requested."""

    def __init__(self, *, model: str, include_usage: bool, completion_id: str | None = None) -> None:
        self.model = model
        self.include_usage = include_usage
        self.completion_id = completion_id or new_completion_id()
        self.created = int(time.time())
        self.finish_reason: str | None = None
        self._usage: dict = {}  # accumulated Anthropic usage
        self._tool_index: dict[int, int] = {}  # block index -> tool_calls index
        self._finished = False  # finish chunk sent
        self._usage_sent = False

    @property
    def usage(self) -> dict | None:
        """OpenAI-shaped usage, or None when the upstream sent none."""
        return anthropic_usage_to_openai(self._usage) if self._usage else None

    def feed(self, event: str, data: dict) -> list[dict]:
        """One Anthropic SSE event -> zero or more OpenAI chunks."""
        kind = (data or {}).get("type") or event
        handler = self._HANDLERS.get(kind)
        return handler(self, data or {}) if handler else []

    def finish(self) -> list[dict]:
        """At EOF: whatever message_delta / message_stop would have sent if the
        upstream stream was cut short. Safe to call after a complete stream."""
        chunks = [] if self._finished else self._on_message_delta({"delta": {"stop_reason": None}})
        return chunks + self._on_message_stop({})

    # --- handlers ----------------------------------------------------------

    def _on_message_start(self, data: dict) -> list[dict]:
        self._merge_usage((data.get("message") or {}).get("usage"))
        return [self._chunk({"role": "assistant", "content": ""})]

    def _on_block_start(self, data: dict) -> list[dict]:
        block = data.get("content_block") or {}
        kind = block.get("type")
        if kind == "tool_use":
            return [self._start_tool(data.get("index"), block)]
        if kind == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        if kind == "thinking" and block.get("thinking"):
            return [self._chunk({"reasoning_content": block["thinking"]})]
        return []

    def _start_tool(self, block_index, block: dict) -> dict:
        # The tool_calls index counts tool_use blocks only: block indexes also
        # count text and thinking blocks (new-api's off-by-one).
        index = len(self._tool_index)
        self._tool_index[block_index] = index
        arguments = json.dumps(block["input"], ensure_ascii=False) if block.get("input") else ""
        call = {"index": index, "id": block.get("id") or "", "type": "function",
                "function": {"name": block.get("name") or "", "arguments": arguments}}
        return self._chunk({"tool_calls": [call]})

    def _on_block_delta(self, data: dict) -> list[dict]:
        delta = data.get("delta") or {}
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return [self._chunk({"content": delta["text"]})]
        if kind == "thinking_delta" and delta.get("thinking"):
            return [self._chunk({"reasoning_content": delta["thinking"]})]
        if kind == "input_json_delta" and delta.get("partial_json"):
            index = self._tool_index.get(data.get("index"))
            if index is None:
                return []  # a server tool's input: not the client's call
            call = {"index": index, "function": {"arguments": delta["partial_json"]}}
            return [self._chunk({"tool_calls": [call]})]
        return []  # signature_delta, citations_delta: no OpenAI field

    def _on_message_delta(self, data: dict) -> list[dict]:
        self._merge_usage(data.get("usage"))
        if self._finished:
            return []
        self._finished = True
        stop = (data.get("delta") or {}).get("stop_reason")
        self.finish_reason = finish_reason_for(stop, has_tool_calls=bool(self._tool_index))
        return [self._chunk({}, finish_reason=self.finish_reason)]

    def _on_message_stop(self, data: dict) -> list[dict]:
        # The usage chunk waits for message_stop: a later message_delta may
        # still raise output_tokens.
        if not self.include_usage or self._usage_sent:
            return []
        self._usage_sent = True
        return [self._usage_chunk()]

    def _on_error(self, data: dict) -> list[dict]:
        error = data.get("error") or {}
        raise UpstreamStreamError(error.get("type") or "api_error", error.get("message") or "upstream error")

    _HANDLERS = {
        "message_start": _on_message_start,
        "content_block_start": _on_block_start,
        "content_block_delta": _on_block_delta,
        "message_delta": _on_message_delta,
        "message_stop": _on_message_stop,
        "error": _on_error,
    }

    # --- chunks ------------------------------------------------------------

    def _merge_usage(self, usage) -> None:
        """Anthropic usage fields are cumulative: take the latest, never sum."""
        if isinstance(usage, dict):
            self._usage.update({k: v for k, v in usage.items() if isinstance(v, int)})

    def _chunk(self, delta: dict, finish_reason: str | None = None) -> dict:
        chunk = {"id": self.completion_id, "object": "chat.completion.chunk", "created": self.created,
                 "model": self.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
        if self.include_usage:
            chunk["usage"] = None  # as OpenAI does when include_usage is set
        return chunk

    def _usage_chunk(self) -> dict:
        chunk = self._chunk({})
        chunk["choices"] = []
        chunk["usage"] = self.usage or anthropic_usage_to_openai({})
        return chunk

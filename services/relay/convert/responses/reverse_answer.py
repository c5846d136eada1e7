"""Response object / Responses events -> chat completion / chat chunks, for a
chat client on a Responses-only channel (docs/protocols.md §6)."""
from __future__ import annotations

import time

from services.billing.pricing import Usage
from services.relay.dialects import openai_chat, openai_responses

from .common import content_parts_text, dumps
from .tools import custom_arguments, shell_arguments

CALL_TYPES = ("function_call", "custom_tool_call", "local_shell_call")


class ResponsesStreamError(Exception):
    """The upstream stream failed (`response.failed` or an `error` event)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def _completion_id(response_id) -> str:
    rid = response_id if isinstance(response_id, str) and response_id else "0"
    return "chatcmpl-" + rid.removeprefix("resp_")


def _call(item: dict) -> tuple[str, str]:
    """An output call item -> (function name, arguments)."""
    if item.get("type") == "custom_tool_call":
        return item.get("name") or "", custom_arguments(item.get("input"))
    if item.get("type") == "local_shell_call":
        return "local_shell", shell_arguments(item.get("action"))
    arguments = item.get("arguments")
    return item.get("name") or "", arguments if isinstance(arguments, str) else dumps(arguments or {})


def _reasoning(item: dict) -> str:
    return content_parts_text(item.get("summary"), "\n\n") or content_parts_text(item.get("content"))


def finish_reason_of(response: dict, has_calls: bool) -> str:
    details = response.get("incomplete_details") if isinstance(response.get("incomplete_details"), dict) else {}
    if response.get("status") == "incomplete":
        return "content_filter" if details.get("reason") == "content_filter" else "length"
    return "tool_calls" if has_calls else "stop"


def responses_to_chat_completion(response: dict, *, model: str) -> dict:
    """A Response object -> a chat completion."""
    output = [i for i in (response or {}).get("output") or [] if isinstance(i, dict)]
    text, refusal, thinking, calls = [], [], [], []
    for item in output:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict) and part.get("type") == "output_text":
                    text.append(part.get("text") or "")
                elif isinstance(part, dict) and part.get("type") == "refusal":
                    refusal.append(part.get("refusal") or "")
        elif kind == "reasoning":
            thinking.append(_reasoning(item))
        elif kind in CALL_TYPES:
            name, arguments = _call(item)
            calls.append({"id": item.get("call_id") or item.get("id") or "", "type": "function",
                          "function": {"name": name, "arguments": arguments}})
    message: dict = {"role": "assistant", "content": "".join(text) or (None if calls else "")}
    if refusal:
        message["refusal"] = "".join(refusal)
    if any(thinking):
        message["reasoning_content"] = "\n\n".join(t for t in thinking if t)
    if calls:
        message["tool_calls"] = calls
    completion = {"id": _completion_id(response.get("id")), "object": "chat.completion",
                  "created": int(response.get("created_at") or time.time()), "model": model,
                  "choices": [{"index": 0, "message": message, "logprobs": None,
                               "finish_reason": finish_reason_of(response, bool(calls))}]}
    usage = openai_responses.read_usage(response.get("usage"))
    if usage is not None:
        completion["usage"] = openai_chat.usage_dict(usage)
    return completion


class ChatChunksFromResponses:
    """Feed Responses SSE events, get chat chunk dicts (the caller writes
    `data: {chunk}` for each and then `data: [DONE]`)."""

    def __init__(self, *, model: str, include_usage: bool = True) -> None:
        self.model, self.include_usage = model, include_usage
        self.id, self.created = _completion_id(None), int(time.time())
        self.usage: Usage | None = None  # the upstream's, read at the terminal event
        self.finish_reason: str | None = None
        self._started = self._done = False
        self._calls: dict[str, int] = {}      # item id -> tool call index
        self._args: dict[str, str] = {}       # item id -> arguments streamed so far
        self._texted: set[str] = set()        # message items whose text was streamed
        self._reasoned = False

    def feed(self, event_name: str, data: dict) -> list[dict]:
        if self._done or not isinstance(data, dict):
            return []
        name = data.get("type") or event_name
        if name == "error":
            raise ResponsesStreamError(str(data.get("code") or "server_error"), str(data.get("message") or ""))
        response = data.get("response") if isinstance(data.get("response"), dict) else {}
        if name == "response.failed":
            error = response.get("error") if isinstance(response.get("error"), dict) else {}
            raise ResponsesStreamError(str(error.get("code") or "server_error"),
                                       str(error.get("message") or "upstream response failed"))
        if name == "response.created" and response.get("id"):
            self.id = _completion_id(response["id"])
            self.created = int(response.get("created_at") or self.created)
        chunks = self._start()
        if name == "response.output_text.delta" and data.get("delta"):
            self._texted.add(data.get("item_id") or "")
            chunks.append(self._chunk({"content": data["delta"]}))
        elif name in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta") and data.get("delta"):
            self._reasoned = True
            chunks.append(self._chunk({"reasoning_content": data["delta"]}))
        elif name == "response.reasoning_summary_part.added" and (data.get("summary_index") or 0) > 0:
            chunks.append(self._chunk({"reasoning_content": "\n\n"}))
        elif name == "response.output_item.added":
            chunks += self._call_head(data.get("item"))
        elif name in ("response.function_call_arguments.delta", "response.custom_tool_call_input.delta"):
            chunks += self._arguments(data.get("item_id") or "", data.get("delta") or "", name)
        elif name == "response.output_item.done":
            chunks += self._item_done(data.get("item"))
        elif name in ("response.completed", "response.incomplete"):
            chunks += self._end(response)
        return chunks

    def finish(self) -> list[dict]:
        """At upstream EOF: a finish chunk if no terminal event came."""
        if self._done:
            return []
        self._done = True
        reason = "tool_calls" if self._calls else "stop"
        self.finish_reason = reason
        return self._start() + [self._chunk({}, finish_reason=reason)]

    # --- helpers -------------------------------------------------------------

    def _chunk(self, delta: dict, finish_reason: str | None = None) -> dict:
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]}

    def _start(self) -> list[dict]:
        if self._started:
            return []
        self._started = True
        return [self._chunk({"role": "assistant", "content": ""})]

    def _call_head(self, item) -> list[dict]:
        if not isinstance(item, dict) or item.get("type") not in CALL_TYPES:
            return []
        item_id = item.get("id") or item.get("call_id") or ""
        if item_id in self._calls:
            return []
        self._calls[item_id] = index = len(self._calls)
        self._args[item_id] = ""
        name = item.get("name") if item.get("type") != "local_shell_call" else "local_shell"
        head = {"index": index, "id": item.get("call_id") or item_id, "type": "function",
                "function": {"name": name or "", "arguments": ""}}
        return [self._chunk({"tool_calls": [head]})]

    def _arguments(self, item_id: str, delta: str, name: str) -> list[dict]:
        if item_id not in self._calls or not delta or name.startswith("response.custom"):
            return []  # custom input deltas are decoded text, not JSON: sent whole at done
        self._args[item_id] += delta
        return [self._chunk({"tool_calls": [{"index": self._calls[item_id], "function": {"arguments": delta}}]})]

    def _item_done(self, item) -> list[dict]:
        if not isinstance(item, dict):
            return []
        chunks: list[dict] = []
        if item.get("type") == "message" and (item.get("id") or "") not in self._texted:
            text = "".join(p.get("text") or "" for p in item.get("content") or []
                           if isinstance(p, dict) and p.get("type") == "output_text")
            if text:
                chunks.append(self._chunk({"content": text}))
        elif item.get("type") == "reasoning" and not self._reasoned and _reasoning(item):
            chunks.append(self._chunk({"reasoning_content": _reasoning(item)}))
        elif item.get("type") in CALL_TYPES:
            chunks += self._call_head(item)
            item_id = item.get("id") or item.get("call_id") or ""
            _, arguments = _call(item)
            sent = self._args.get(item_id, "")
            if arguments.startswith(sent) and len(arguments) > len(sent):
                rest = arguments[len(sent):]
                self._args[item_id] = arguments
                chunks.append(self._chunk({"tool_calls": [{"index": self._calls[item_id],
                                                           "function": {"arguments": rest}}]}))
        return chunks

    def _end(self, response: dict) -> list[dict]:
        self._done = True
        self.finish_reason = finish_reason_of(response, bool(self._calls))
        chunks = [self._chunk({}, finish_reason=self.finish_reason)]
        self.usage = openai_responses.read_usage(response.get("usage"))
        if self.include_usage and self.usage is not None:
            chunk = self._chunk({})
            chunk["choices"] = []
            chunk["usage"] = openai_chat.usage_dict(self.usage)
            chunks.append(chunk)
        return chunks

"""Chat stream chunks -> Responses SSE events (docs/protocols.md §6).

At most one output item is open at a time. Per item the events come in the
canonical order real clients expect (content_part.added before any text
delta: openai-python's `responses.stream()` indexes the part it creates),
every event carries `type` and an increasing `sequence_number`, and the
terminal event holds the full output and a usage with both details objects.
"""
from __future__ import annotations

import json

from services.billing.pricing import Usage
from services.relay.convert.common import content_text, reasoning_text, route_fragment

from .answer import envelope, message_item, reasoning_item, status_for
from .common import dumps, new_id
from .tools import ToolKinds, call_item, custom_input, partial_input

Event = tuple[str, dict]


def format_event(name: str, data: dict) -> bytes:
    """One SSE frame: `event: NAME` and `data: JSON`."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class _Item:
    __slots__ = ("kind", "index", "item", "parts", "call_id", "name", "emitted")

    def __init__(self, kind: str, index: int, item: dict) -> None:
        self.kind, self.index, self.item = kind, index, item
        self.parts: list[str] = []
        self.call_id = self.name = ""
        self.emitted = ""  # custom tools: the decoded input streamed so far

    @property
    def text(self) -> str:
        return "".join(self.parts)


class ResponsesStreamWriter:
    """Feed chat chunks, get `(event_name, data)` pairs to send as SSE."""

    def __init__(self, kinds: ToolKinds | None, *, response_id: str, model: str, created_at: int,
                 request: dict | None) -> None:
        self.kinds = kinds or ToolKinds()
        self.response_id, self.model, self.created_at = response_id, model, int(created_at)
        self.request = request if isinstance(request, dict) else {}
        self.finish_reason: str | None = None
        self.late_fragments = 0  # tool arguments for an item already closed (dropped)
        self.started = self.done = False
        self._seq = 0
        self._output: list[dict] = []  # finished items, in output_index order
        self._open: _Item | None = None
        self._calls: list[_Item] = []
        self._by_id: dict[str, _Item] = {}
        self._by_index: dict[int, _Item] = {}
        self._streamed: list[str] = []

    # --- public ------------------------------------------------------------

    def start(self) -> list[Event]:
        """response.created then response.in_progress (once)."""
        if self.started:
            return []
        self.started = True
        snapshot = self._response("in_progress", [])
        return [self._event("response.created", response=snapshot),
                self._event("response.in_progress", response=self._response("in_progress", []))]

    def feed(self, chunk: dict) -> list[Event]:
        """One chat stream chunk in -> zero or more events out."""
        if self.done or not isinstance(chunk, dict):
            return []
        events = self.start()
        if isinstance(chunk.get("error"), dict):  # OpenRouter-style error chunk
            error = chunk["error"]
            code = error.get("code") if isinstance(error.get("code"), str) else "server_error"
            return events + self.error(code, str(error.get("message") or "upstream error"))
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
            events += self._reasoning(reasoning_text(delta))
            events += self._text(content_text(delta.get("content")) or
                                 (delta.get("refusal") if isinstance(delta.get("refusal"), str) else ""))
            calls = delta.get("tool_calls")
            if not calls and isinstance(delta.get("function_call"), dict):
                calls = [{"function": delta["function_call"]}]
            for entry in calls or []:
                if isinstance(entry, dict):
                    events += self._fragment(entry)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        return events

    def finish(self, usage: Usage | None) -> list[Event]:
        """Close what is open, then response.completed or response.incomplete."""
        if self.done:
            return []
        events = self.start() + self._close()
        self.done = True
        status, reason = status_for(self.finish_reason)
        response = self._response(status, list(self._output), usage=usage, with_usage=True,
                                  incomplete_reason=reason)
        return events + [self._event(f"response.{status}", response=response)]

    def error(self, code: str, message: str) -> list[Event]:
        """response.failed; the stream must end after it."""
        if self.done:
            return []
        events = self.start()
        self.done = True
        response = self._response("failed", list(self._output),
                                  error={"code": code or "server_error", "message": message or ""})
        return events + [self._event("response.failed", response=response)]

    def heartbeat(self) -> Event:
        """response.in_progress, for long upstream silences (Codex's idle
        timer ignores SSE comments)."""
        return self._event("response.in_progress", response=self._response("in_progress", list(self._output)))

    @property
    def output(self) -> list[dict]:
        return list(self._output)

    @property
    def streamed_text(self) -> str:
        """All text, reasoning and arguments streamed, for a local estimate."""
        return "".join(self._streamed)

    # --- helpers -------------------------------------------------------------

    def _event(self, name: str, **data) -> Event:
        event = {"type": name, "sequence_number": self._seq, **data}
        self._seq += 1
        return name, event

    def _response(self, status: str, output: list, **kwargs) -> dict:
        return envelope(response_id=self.response_id, model=self.model, created_at=self.created_at,
                        request=self.request, status=status, output=output, **kwargs)

    def _where(self, item: _Item) -> dict:
        return {"item_id": item.item["id"], "output_index": item.index}

    def _open_item(self, kind: str, item: dict) -> tuple[_Item, list[Event]]:
        events = self._close()
        opened = self._open = _Item(kind, len(self._output), item)
        events.append(self._event("response.output_item.added", output_index=opened.index, item=dict(item)))
        return opened, events

    # --- deltas --------------------------------------------------------------

    def _reasoning(self, text: str) -> list[Event]:
        if not text:
            return []
        self._streamed.append(text)
        events: list[Event] = []
        item = self._open
        if item is None or item.kind != "reasoning":
            start = reasoning_item("", item_id=new_id("rs"))
            start["summary"] = []
            item, events = self._open_item("reasoning", start)
            events.append(self._event("response.reasoning_summary_part.added", **self._where(item),
                                      summary_index=0, part={"type": "summary_text", "text": ""}))
        item.parts.append(text)
        return events + [self._event("response.reasoning_summary_text.delta", **self._where(item),
                                     summary_index=0, delta=text)]

    def _text(self, text: str) -> list[Event]:
        if not text:  # the role chunk's "" must not open an item
            return []
        self._streamed.append(text)
        events: list[Event] = []
        item = self._open
        if item is None or item.kind != "message":
            start = message_item("", status="in_progress", item_id=new_id("msg"))
            start["content"] = []
            item, events = self._open_item("message", start)
            events.append(self._event("response.content_part.added", **self._where(item), content_index=0,
                                      part={"type": "output_text", "text": "", "annotations": [],
                                            "logprobs": []}))
        item.parts.append(text)
        return events + [self._event("response.output_text.delta", **self._where(item), content_index=0,
                                     delta=text, logprobs=[])]

    def _fragment(self, entry: dict) -> list[Event]:
        function = entry.get("function") if isinstance(entry.get("function"), dict) else {}
        call = self._route(entry, function)
        events: list[Event] = []
        if call is None:
            call, events = self._new_call(entry, function)
        elif not call.name and function.get("name") and call.kind == "function":
            call.name = function["name"]  # the name came after the id: the done item has it
        arguments = function.get("arguments")
        if isinstance(arguments, (dict, list)):
            arguments = dumps(arguments)
        if not isinstance(arguments, str) or not arguments:
            return events
        if self._open is not call:
            self.late_fragments += 1
            return events
        self._streamed.append(arguments)
        call.parts.append(arguments)
        if call.kind == "function":
            events.append(self._event("response.function_call_arguments.delta", **self._where(call),
                                      delta=arguments))
        elif call.kind == "custom":
            decoded = partial_input(call.text)
            if decoded.startswith(call.emitted) and len(decoded) > len(call.emitted):
                events.append(self._event("response.custom_tool_call_input.delta", **self._where(call),
                                          delta=decoded[len(call.emitted):]))
                call.emitted = decoded
        return events

    def _route(self, entry: dict, function: dict) -> _Item | None:
        return route_fragment(entry, function, self._by_id, self._by_index, self._calls)

    def _new_call(self, entry: dict, function: dict) -> tuple[_Item, list[Event]]:
        call_id = entry.get("id") or new_id("call")
        name = function.get("name") or ""
        start = call_item(self.kinds, call_id=call_id, name=name, arguments="", status="in_progress")
        if start["type"] == "custom_tool_call":
            start["input"] = ""
        elif start["type"] == "local_shell_call":
            start["action"] = {"type": "exec", "command": [], "env": {}}
        call, events = self._open_item(self.kinds.kind(name), start)
        call.call_id, call.name = call_id, name
        self._calls.append(call)
        self._by_id[call_id] = call
        if isinstance(entry.get("index"), int):
            self._by_index[entry["index"]] = call  # a reused index now means this call
        return call, events

    # --- closing -------------------------------------------------------------

    def _close(self) -> list[Event]:
        item, self._open = self._open, None
        if item is None:
            return []
        where, text = self._where(item), item.text
        if item.kind == "reasoning":
            done = reasoning_item(text, item_id=item.item["id"])
            part = {"type": "summary_text", "text": text}
            events = [self._event("response.reasoning_summary_text.done", **where, summary_index=0, text=text),
                      self._event("response.reasoning_summary_part.done", **where, summary_index=0, part=part)]
        elif item.kind == "message":
            done = message_item(text, item_id=item.item["id"],
                                status="incomplete" if self.finish_reason == "length" else "completed")
            events = [self._event("response.output_text.done", **where, content_index=0, text=text, logprobs=[]),
                      self._event("response.content_part.done", **where, content_index=0,
                                  part=done["content"][0])]
        else:
            done = call_item(self.kinds, call_id=item.call_id, name=item.name, arguments=text,
                             item_id=item.item["id"])
            events = []
            if item.kind == "function":
                events.append(self._event("response.function_call_arguments.done", **where, arguments=text))
            elif item.kind == "custom":
                events.append(self._event("response.custom_tool_call_input.done", **where,
                                          input=custom_input(text)))
        self._output.append(done)
        return events + [self._event("response.output_item.done", output_index=item.index, item=done)]


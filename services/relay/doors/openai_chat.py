"""The OpenAI door: how answers look to an OpenAI client."""
from __future__ import annotations

import orjson

from services.relay.adapters.base import StreamEvent
from services.relay.call import RelayCall
from services.relay.errors import RelayError
from services.relay.meter import Meter

DONE = b"data: [DONE]\n\n"


def error_body(code: str, message: str) -> dict:
    # The customer's documents spell type and code alike.
    return {"error": {"message": message, "type": code, "code": code}}


def completion_body(call: RelayCall, completion: dict, meter: Meter) -> dict:
    """The upstream completion with the credits charged in its usage (and
    our estimate, marked, when the upstream reported none)."""
    body = dict(completion)
    if body.get("usage"):
        usage = dict(body["usage"])
    else:
        billed = meter.billable(call.prompt_estimate)
        usage = {"prompt_tokens": billed.prompt_tokens, "completion_tokens": billed.completion_tokens,
                 "total_tokens": billed.total_tokens, "estimated": True}
    usage["credits"] = call.cost or 0
    body["usage"] = usage
    if call.renamed:
        body["model"] = call.client_model
    return body


def _sse(chunk: dict) -> bytes:
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


class OpenAIChatWriter:
    """Relays upstream chunks byte for byte unless something must change:
    the usage chunk (hidden if the client did not ask for it, else carrying
    the credits) and the model name when the channel maps it."""

    def __init__(self, call: RelayCall):
        self.call = call
        self.sent_done = False
        self.sent_usage = False
        self.last: dict = {}

    def start(self) -> bytes | None:
        return None

    def event(self, event: StreamEvent, meter: Meter) -> bytes | None:
        chunk = event.chunk
        if chunk is None:
            self.sent_done = True
            return self._estimated_usage(meter) + DONE
        self.last = chunk
        changed = False
        if chunk.get("usage"):
            self.sent_usage = True
            if not self.call.include_usage:
                if not chunk.get("choices"):
                    return None
                chunk = {k: v for k, v in chunk.items() if k != "usage"}
            else:
                usage = dict(chunk["usage"])
                usage["credits"] = self.call.cost_of(meter.billable(self.call.prompt_estimate))
                chunk = {**chunk, "usage": usage}
            changed = True
        if self.call.renamed and chunk.get("model") != self.call.client_model:
            chunk = {**chunk, "model": self.call.client_model}
            changed = True
        if not changed and event.raw is not None:
            return event.raw
        return _sse(chunk)

    def end(self, meter: Meter, finished: bool) -> bytes | None:
        return None if self.sent_done else self._estimated_usage(meter) + DONE

    def _estimated_usage(self, meter: Meter) -> bytes:
        """The client asked for usage and the upstream sent none: give our
        estimate, marked as such, so the cost is still visible."""
        if not self.call.include_usage or self.sent_usage:
            return b""
        self.sent_usage = True
        usage = meter.billable(self.call.prompt_estimate)
        return _sse({
            "id": self.last.get("id", "chatcmpl-" + self.call.request_id),
            "object": "chat.completion.chunk", "created": self.last.get("created", 0),
            "model": self.call.client_model, "choices": [],
            "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                      "total_tokens": usage.total_tokens, "estimated": usage.estimated,
                      "credits": self.call.cost_of(usage)},
        })

    def error(self, error: RelayError) -> bytes:
        return _sse(error_body(error.code, error.message)) + (b"" if self.sent_done else DONE)

"""The Responses door: /v1/responses for Codex CLI, the Agents SDK and the
openai SDK's responses API.

To a channel that speaks Responses the request passes through and its
events come back byte for byte (the terminal one gets the credits); to a
chat-only or Anthropic channel the converter table translates both ways.
The usage every client sees is the billed one, both details objects always
present as integers (Codex refuses a `response.completed` without them)."""
from __future__ import annotations

from services.relay.adapters.base import StreamEvent
from services.relay.call import Ask, RelayCall, Upstream, check_forbidden
from services.relay.convert.responses import format_event
from services.relay.convert.table import Target
from services.relay.dialects import openai_responses
from services.relay.doors.base import Door
from services.relay.doors.openai_chat import relay_error_body, require_model
from services.relay.errors import RelayError, invalid_request
from services.relay.meter import Meter
from services.relay.tokens import json_value_tokens

DIALECT = "openai.responses"
KEEP_ALIVE = b": keep-alive\n\n"
TERMINAL = ("response.completed", "response.incomplete", "response.failed")
# Request fields that only this relay acts on: never sent upstream as they are.
LOCAL_FIELDS = ("previous_response_id",)


def validate(body) -> None:
    require_model(body)
    items = body.get("input")
    if not isinstance(items, (str, list)) or (isinstance(items, list)
                                             and any(not isinstance(i, (dict, str)) for i in items)):
        raise invalid_request("'input' must be a string or a list of input items.")
    limit = body.get("max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise invalid_request("'max_output_tokens' must be a positive integer.")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid_request("'stream' must be true or false.")
    if body.get("previous_response_id") is not None and not isinstance(body["previous_response_id"], str):
        raise invalid_request("'previous_response_id' must be a string.")
    check_forbidden(body)


def _tokens(body: dict, bound: bool) -> int:
    return sum(json_value_tokens(body.get(part), bound=bound) for part in ("instructions", "input", "tools"))


def parse(body, headers=None) -> Ask:
    """A Responses request (its earlier turns already in `input` when it
    named a stored response) as the relay's ask."""
    validate(body)
    items = body["input"]
    cache_key = body.get("prompt_cache_key")
    return Ask(model_id=body["model"], stream=bool(body.get("stream")), prompt_bound=_tokens(body, True),
               prompt_estimate=_tokens(body, False), output_tokens=body.get("max_output_tokens"), choices=1,
               body=body, message_count=len(items) if isinstance(items, list) else 1,
               affinity=cache_key if isinstance(cache_key, str) and cache_key else None)


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    body = {k: v for k, v in ask.body.items() if k not in LOCAL_FIELDS}
    body["model"] = target.upstream_model
    if limit_changed:
        body["max_output_tokens"] = target.max_output_tokens
    return Upstream(body, DIALECT)


def _billed(response: dict, call: RelayCall, meter: Meter) -> dict:
    """The response with the billed usage and its credits, and the model
    name the client asked for."""
    usage = openai_responses.usage_dict(meter.billable(call.prompt_estimate))
    usage["credits"] = call.cost_of(meter.billable(call.prompt_estimate)) if call.cost is None else call.cost
    out = {**response, "usage": usage}
    if call.renamed:
        out["model"] = call.client_model
    return out


def response_body(call: RelayCall, response: dict, meter: Meter) -> dict:
    """The non-stream answer: a Response object, credits in its usage."""
    return _billed(response, call, meter)


class ResponsesWriter:
    """Responses events to the client, relayed byte for byte where nothing
    changes; the terminal event is held until the call is settled, then
    written with the billed usage and its credits."""

    def __init__(self, call: RelayCall):
        self.call = call
        self.terminal: dict | None = None
        self.final: dict | None = None  # the finished response, for the store
        self.sequence = 0
        self.response_id: str | None = None
        self.ended = False

    def start(self) -> None:
        return None

    def event(self, event: StreamEvent, meter: Meter) -> bytes | None:
        data = event.chunk or {}
        kind = data.get("type", "")
        self.sequence = max(self.sequence, _int(data.get("sequence_number")))
        response = data.get("response") if isinstance(data.get("response"), dict) else None
        if response and response.get("id"):
            self.response_id = response["id"]
        if kind in TERMINAL:
            self.terminal = data
            return None
        if response is not None and self.call.renamed:
            return format_event(kind, {**data, "response": {**response, "model": self.call.client_model}})
        return event.raw if event.raw is not None else format_event(kind, data)

    def ping(self) -> bytes:
        return KEEP_ALIVE

    def end(self, meter: Meter) -> bytes:
        if self.ended:
            return b""
        self.ended = True
        data = self.terminal
        if data is None:  # the upstream ended without one: say where it stopped
            data = {"type": "response.incomplete", "sequence_number": self.sequence + 1,
                    "response": {"id": self.response_id, "object": "response", "status": "incomplete",
                                 "incomplete_details": {"reason": "interrupted"}, "output": []}}
        response = _billed(data.get("response") or {}, self.call, meter)
        self.final = response
        return format_event(data["type"], {**data, "response": response})

    def error(self, error: RelayError) -> bytes:
        self.ended = True
        self.sequence += 1
        return format_event("response.failed", {
            "type": "response.failed", "sequence_number": self.sequence,
            "response": {"id": self.response_id, "object": "response", "status": "failed",
                         "model": self.call.client_model, "output": [],
                         "error": {"code": error.code, "message": error.message}}})


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


DOOR = Door(name="responses", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=ResponsesWriter,
            answer=response_body, error_body=relay_error_body)

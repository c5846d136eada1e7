"""The Anthropic door: /v1/messages for the anthropic SDK and Claude Code.

To a channel that speaks Anthropic messages the request passes through
(model name and max_tokens aside) and its events come back byte for byte;
to any other, the converter table (services.relay.convert.table) converts
both ways, streams included."""
from __future__ import annotations

from services.relay.adapters.base import StreamEvent
from services.relay.call import Ask, RelayCall, Upstream, check_forbidden
from services.relay.convert import anthropic_error_body, anthropic_error_type, count_tokens, format_sse
from services.relay.convert.table import Target
from services.relay.doors.base import Door
from services.relay.errors import RelayError, invalid_request
from services.relay.meter import Meter
from services.relay.tokens import json_value_tokens

DIALECT = "anthropic.messages"
PING = format_sse("ping", {"type": "ping"})
# Client headers that mean something to Anthropic itself, and only to it:
# other providers reject unknown betas.
FORWARDED_HEADERS = ("anthropic-beta", "anthropic-version")


def validate(body) -> None:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise RelayError(400, "model_required", "model: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or any(not isinstance(m, dict) for m in messages):
        raise RelayError(400, "messages_required", "messages: a non-empty list of messages is required")
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise invalid_request("max_tokens: a positive integer is required")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid_request("stream: must be true or false")
    _check_tools(body)
    check_forbidden(body)


def _check_tools(body: dict) -> None:
    if body.get("tools") is not None and not isinstance(body["tools"], list):
        raise invalid_request("tools: must be a list of tools")


def prompt_bound(body: dict) -> int:
    return sum(json_value_tokens(body.get(part), bound=True) for part in ("system", "messages", "tools"))


def parse(body, headers=None) -> Ask:
    validate(body)
    forwarded = {k: v for k, v in (headers or {}).items() if k in FORWARDED_HEADERS and v}
    return Ask(model_id=body["model"], stream=bool(body.get("stream")), prompt_bound=prompt_bound(body),
               prompt_estimate=count_tokens(body), output_tokens=body["max_tokens"], choices=1, body=body,
               headers=forwarded, message_count=len(body["messages"]))


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    body = {**ask.body, "model": target.upstream_model, "max_tokens": target.max_output_tokens}
    return Upstream(body, DIALECT, headers=ask.headers)


def count(body) -> dict:
    """POST /v1/messages/count_tokens, answered locally: never upstream spend."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise RelayError(400, "messages_required", "messages: a list of messages is required")
    _check_tools(body)
    return {"input_tokens": count_tokens(body)}


def error_body(error: RelayError) -> dict:
    return anthropic_error_body(anthropic_error_type(error.status), error.message)


def _with_credits(message: dict, credits: int) -> dict:
    usage = dict(message.get("usage") or {})
    usage["credits"] = credits
    return {**message, "usage": usage}


def message_body(call: RelayCall, message: dict, meter: Meter) -> dict:
    """The non-stream answer in Anthropic's shape, credits in its usage."""
    return _with_credits({**message, "model": call.client_model}, call.cost or 0)


# The events that end a message: held until the call is settled, so a
# client that has read message_stop finds its balance final.
_TAIL = ("message_delta", "message_stop")


class AnthropicWriter:
    """Anthropic events to the client: relayed byte for byte unless the
    model name must read as the client's or the usage gets its credits."""

    def __init__(self, call: RelayCall):
        self.call = call
        self.tail: list[dict] = []
        self.ended = False

    def start(self) -> None:
        return None

    def event(self, event: StreamEvent, meter: Meter) -> bytes | None:
        data = event.chunk or {}
        kind = data.get("type")
        if kind in _TAIL:
            self.tail.append(data)
            return None
        if kind == "message_start" and (self.call.renamed or event.raw is None):
            message = {**data.get("message", {}), "model": self.call.client_model}
            return format_sse("message_start", {**data, "message": message})
        return event.raw if event.raw is not None else format_sse(kind or "message", data)

    def ping(self) -> bytes:
        return PING

    def end(self, meter: Meter) -> bytes:
        if self.ended:
            return b""
        self.ended = True
        credits = self.call.cost_of(meter.billable(self.call.prompt_estimate))
        out = []
        for data in self.tail:
            if data.get("type") == "message_delta":
                data = {**data, "usage": {**(data.get("usage") or {}), "credits": credits}}
            out.append(format_sse(data["type"], data))
        if not any(data.get("type") == "message_stop" for data in self.tail):
            out.append(format_sse("message_stop", {"type": "message_stop"}))
        return b"".join(out)

    def error(self, error: RelayError) -> bytes:
        self.ended = True
        return format_sse("error", error_body(error))


DOOR = Door(name="anthropic", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=AnthropicWriter,
            answer=message_body, error_body=error_body)

"""The Anthropic door: /v1/messages for the anthropic SDK and Claude Code.

To an Anthropic-native channel the request passes through (model name and
max_tokens aside) and its events come back byte for byte. To any other
channel the request is converted to OpenAI chat and the answer back to
Anthropic's shapes, streams included."""
from __future__ import annotations

from services.relay.adapters.base import StreamEvent
from services.relay.call import Ask, RelayCall, Upstream, check_forbidden
from services.relay.convert import (AnthropicStreamWriter, anthropic_error_body, anthropic_error_type,
                                    anthropic_to_openai_request, count_tokens, format_sse,
                                    openai_to_anthropic_message)
from services.relay.errors import RelayError, invalid_request
from services.relay.meter import Meter
from services.tokens import json_value_tokens

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
    check_forbidden(body)


def prompt_bound(body: dict) -> int:
    return sum(json_value_tokens(body.get(part), bound=True) for part in ("system", "messages", "tools"))


def ask(body, headers: dict | None = None) -> Ask:
    validate(body)
    forwarded = {k: v for k, v in (headers or {}).items() if k in FORWARDED_HEADERS and v}

    def build(channel, model, limit: int, changed: bool) -> Upstream:
        upstream_model = channel.upstream_name(model.id)
        if channel.provider == "anthropic":
            native = {**body, "model": upstream_model, "max_tokens": limit}
            return Upstream(native, native=True, headers=forwarded)
        request, names = anthropic_to_openai_request(body, upstream_model=upstream_model,
                                                     max_output_tokens=limit, provider=channel.flavor)
        return Upstream(request, tool_names=names)

    return Ask(model_id=body["model"], stream=bool(body.get("stream")), prompt_bound=prompt_bound(body),
               prompt_estimate=count_tokens(body), output_tokens=body["max_tokens"], choices=1,
               include_usage=False, build=build, message_count=len(body["messages"]))


def count(body) -> dict:
    """POST /v1/messages/count_tokens, answered locally: never upstream spend."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise RelayError(400, "messages_required", "messages: a list of messages is required")
    return {"input_tokens": count_tokens(body)}


def error_body(error: RelayError) -> dict:
    return anthropic_error_body(anthropic_error_type(error.status), error.message)


def _with_credits(message: dict, credits: int) -> dict:
    usage = dict(message.get("usage") or {})
    usage["credits"] = credits
    return {**message, "usage": usage}


def message_body(call: RelayCall, answer: dict, meter: Meter) -> dict:
    """The non-stream answer in Anthropic's shape, credits in its usage."""
    if call.upstream.native:
        message = {**answer, "model": call.client_model}
    else:
        message = openai_to_anthropic_message(answer, model=call.client_model,
                                              tool_names=call.upstream.tool_names)
    return _with_credits(message, call.cost or 0)


def _sse(events) -> bytes:
    return b"".join(format_sse(name, data) for name, data in events)


class ConvertingWriter:
    """OpenAI chunks from the upstream, Anthropic events to the client."""

    def __init__(self, call: RelayCall):
        self.call = call
        self.writer = AnthropicStreamWriter(model=call.client_model, input_tokens_estimate=call.prompt_estimate,
                                            tool_names=call.upstream.tool_names)
        self.tail: list = []  # message_delta and message_stop, held until the call is settled

    def start(self) -> bytes:
        # message_start at once: the client sees the stream open (and pings)
        # while a reasoning model is still silent.
        return _sse(self.writer.start())

    def event(self, event: StreamEvent, meter: Meter) -> bytes | None:
        if event.chunk is None:
            return self._finish(meter)
        events = []
        for name, data in self.writer.feed(event.chunk):
            # The message ends once the upstream's usage is in, which can be
            # before [DONE]; its last two events wait for the settlement, so
            # a client that has read message_stop finds its balance final.
            (self.tail if name in ("message_delta", "message_stop") else events).append((name, data))
        return _sse(events) or None

    def ping(self) -> bytes:
        return PING

    def end(self, meter: Meter, finished: bool) -> bytes | None:
        return self._finish(meter)

    def _finish(self, meter: Meter) -> bytes:
        credits = self.call.cost_of(meter.billable(self.call.prompt_estimate))
        events = []
        tail, self.tail = self.tail, []
        for name, data in tail + self.writer.finish():
            if name == "message_delta":
                data = {**data, "usage": {**(data.get("usage") or {}), "credits": credits}}
            events.append((name, data))
        return _sse(events)

    def error(self, error: RelayError) -> bytes:
        return format_sse(*self.writer.error(anthropic_error_type(error.status), error.message))


class NativeWriter:
    """Anthropic events from an Anthropic upstream, relayed byte for byte
    unless the model name must read as the client's."""

    def __init__(self, call: RelayCall):
        self.call = call
        self.stopped = False

    def start(self) -> None:
        return None

    def event(self, event: StreamEvent, meter: Meter) -> bytes | None:
        if event.chunk is None:
            self.stopped = True
            return event.raw
        kind = event.chunk.get("type")
        if self.call.renamed and kind == "message_start":
            message = {**event.chunk.get("message", {}), "model": self.call.client_model}
            return format_sse("message_start", {**event.chunk, "message": message})
        if kind == "message_delta":
            # The credits so far, as on every other door's final usage.
            credits = self.call.cost_of(meter.billable(self.call.prompt_estimate))
            usage = {**(event.chunk.get("usage") or {}), "credits": credits}
            return format_sse("message_delta", {**event.chunk, "usage": usage})
        return event.raw

    def ping(self) -> bytes:
        return PING

    def end(self, meter: Meter, finished: bool) -> bytes | None:
        return None if self.stopped else format_sse("message_stop", {"type": "message_stop"})

    def error(self, error: RelayError) -> bytes:
        return format_sse("error", error_body(error))


def writer_for(call: RelayCall):
    return NativeWriter(call) if call.upstream.native else ConvertingWriter(call)

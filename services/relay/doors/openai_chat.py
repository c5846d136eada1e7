"""The OpenAI door: how answers look to an OpenAI client."""
from __future__ import annotations

import orjson

from services.relay.adapters.base import StreamEvent
from services.relay.call import Ask, RelayCall, Upstream, check_forbidden
from services.relay.convert.table import Target
from services.relay.doors.base import Door
from services.relay.errors import RelayError, invalid_request
from services.relay.meter import Meter
from services.relay.tokens import chat_prompt_tokens

DIALECT = "openai.chat"
DONE = b"data: [DONE]\n\n"
KEEP_ALIVE = b": keep-alive\n\n"


def _positive_int(body: dict, name: str) -> None:
    value = body.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise invalid_request(f"'{name}' must be a positive integer.")


def require_model(body) -> None:
    """The opening check of the OpenAI-shaped doors: a JSON object naming a model."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise RelayError(400, "model_required", "The 'model' field is required.")


def validate(body) -> None:
    require_model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RelayError(400, "messages_required", "The 'messages' field must be a non-empty list.")
    if any(not isinstance(m, dict) for m in messages):
        raise invalid_request("Each message must be an object with a role and content.")
    check_forbidden(body)
    _positive_int(body, "max_tokens")
    _positive_int(body, "max_completion_tokens")
    n = body.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 16):
        raise invalid_request("'n' must be an integer from 1 to 16.")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid_request("'stream' must be true or false.")


def parse(body, headers=None) -> Ask:
    """An OpenAI chat request as the relay's ask."""
    validate(body)
    field = _limit_field(body)
    options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
    return Ask(model_id=body["model"], stream=bool(body.get("stream")), prompt_bound=chat_prompt_tokens(body, bound=True),
               prompt_estimate=chat_prompt_tokens(body, bound=False), output_tokens=body.get(field),
               choices=body.get("n") or 1, body=body, include_usage=bool(options.get("include_usage")),
               message_count=len(body["messages"]))


def _limit_field(body: dict) -> str:
    return "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    """Everything passes through except the model name, the output limit
    when it must change, and stream_options (usage is always requested)."""
    body = dict(ask.body)
    body["model"] = target.upstream_model
    if limit_changed:
        body[_limit_field(body)] = target.max_output_tokens
    if ask.stream:
        options = body.get("stream_options") if isinstance(body.get("stream_options"), dict) else {}
        body["stream_options"] = {**options, "include_usage": True}
    return Upstream(body, DIALECT)


def error_body(code: str, message: str) -> dict:
    # The customer's documents spell type and code alike.
    return {"error": {"message": message, "type": code, "code": code}}


def relay_error_body(error: RelayError) -> dict:
    return error_body(error.code, error.message)


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
        if event.last or chunk is None:
            return None  # [DONE] goes out from end(), once the call is settled
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

    def ping(self) -> bytes:
        return KEEP_ALIVE

    def end(self, meter: Meter) -> bytes:
        if self.sent_done:
            return b""
        self.sent_done = True
        return self._estimated_usage(meter) + DONE

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


DOOR = Door(name="openai", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=OpenAIChatWriter,
            answer=completion_body, error_body=relay_error_body)

"""The Gemini door: /v1beta/models/{model}:{action} (and the same under
/v1/models/) for the google-genai SDK and Gemini CLI.

The model and the action come from the path, not the body, so the views
(blueprints/gemini) hand the door an envelope: the client's Gemini body with
the path's model under `model`, the action's stream flag under `stream`
(streamGenerateContent) and `sse` (alt=sse: SSE frames; without it the
stream is one JSON array, as Google serves it). Gemini's wire body has no
`stream` or `sse`, and its `model` is the path's anyway.

To a channel that speaks Gemini the request passes through as
`Upstream.body = {"model": upstream model, **gemini body}`: the Gemini
adapter pops `model` to build the URL (models/{model}:generateContent or
:streamGenerateContent?alt=sse); everything else is the wire body. To any
other channel the converter table converts (Gemini <-> chat; Anthropic and
Responses channels through chat).

Errors are Google's: {"error": {"code", "message", "status"}}, with the
HTTP status Google would use. Insufficient credits (402 elsewhere) is 403
PERMISSION_DENIED here: Gemini CLI retries a 429 (RESOURCE_EXHAUSTED) with
backoff, and waiting does not add credits."""
from __future__ import annotations

import orjson

from services.relay.adapters.base import StreamEvent
from services.relay.call import Ask, RelayCall, Upstream, check_forbidden
from services.relay.convert.table import Target
from services.relay.dialects import gemini
from services.relay.doors.base import Door
from services.relay.errors import RelayError, invalid_request
from services.relay.meter import Meter
from services.relay.tokens import json_value_tokens

DIALECT = "gemini"
ENVELOPE = ("model", "stream", "sse")  # the door's own keys, never sent as they are
KEEP_ALIVE = b": keep-alive\r\n\r\n"
# The HTTP status a Gemini client sees, and Google's status name for it.
HTTP_STATUS = {402: 403}
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                405: "NOT_FOUND", 409: "ABORTED", 413: "INVALID_ARGUMENT", 422: "INVALID_ARGUMENT",
                429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
                502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
GENERATION_METHODS = ("generateContent", "streamGenerateContent", "countTokens")


def http_status(status: int) -> int:
    return HTTP_STATUS.get(status, status)


def status_name(status: int) -> str:
    return STATUS_NAMES.get(status) or ("INTERNAL" if status >= 500 else "FAILED_PRECONDITION")


def error_body(error: RelayError) -> dict:
    status = http_status(error.status)
    return {"error": {"code": status, "message": error.message, "status": status_name(status)}}


def envelope(model: str, body, *, stream: bool, sse: bool) -> dict:
    """What the views hand the relay: the Gemini body with the path's facts."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return {**body, "model": model, "stream": stream, "sse": sse}


def wire_body(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ENVELOPE}


def _config(body: dict) -> dict:
    config = body.get("generationConfig")
    return config if isinstance(config, dict) else {}


def validate(body) -> None:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise RelayError(400, "model_required", "The model is required: models/{model}:generateContent.")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents or any(not isinstance(c, dict) for c in contents):
        raise RelayError(400, "messages_required", "* GenerateContentRequest.contents: contents is not specified")
    if "generationConfig" in body and not isinstance(body["generationConfig"], dict):
        raise invalid_request("generationConfig must be an object.")
    config = _config(body)
    limit = config.get("maxOutputTokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise invalid_request("generationConfig.maxOutputTokens must be a positive integer.")
    candidates = config.get("candidateCount")
    if candidates not in (None, 1):
        raise invalid_request("generationConfig.candidateCount: only 1 candidate is supported.")
    check_forbidden(body)


def prompt_tokens(body: dict, *, bound: bool) -> int:
    return sum(json_value_tokens(body.get(part), bound=bound) for part in ("systemInstruction", "contents", "tools"))


def parse(body, headers=None) -> Ask:
    validate(body)
    return Ask(model_id=body["model"], stream=bool(body.get("stream")), prompt_bound=prompt_tokens(body, bound=True),
               prompt_estimate=prompt_tokens(body, bound=False), output_tokens=_config(body).get("maxOutputTokens"),
               choices=1, body=body, message_count=len(body["contents"]))


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    """{"model": the upstream's name, **the Gemini wire body}: the Gemini
    adapter pops "model" for the URL and sends the rest."""
    body = wire_body(ask.body)
    if limit_changed:
        body["generationConfig"] = {**_config(body), "maxOutputTokens": target.max_output_tokens}
    return Upstream({"model": target.upstream_model, **body}, DIALECT)


def count(body) -> dict:
    """:countTokens, answered locally and free: never a generation, never
    in the request log. The body is {contents} or {generateContentRequest}."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    request = body.get("generateContentRequest")
    request = request if isinstance(request, dict) else body
    if not isinstance(request.get("contents", []), list):
        raise invalid_request("contents must be a list.")
    return {"totalTokens": prompt_tokens(request, bound=False)}


def _billed(chunk: dict, call: RelayCall, meter: Meter) -> dict:
    usage = meter.billable(call.prompt_estimate)
    credits = call.cost_of(usage) if call.cost is None else call.cost
    return {**chunk, "usageMetadata": {**gemini.usage_dict(usage), "credits": credits},
            "modelVersion": call.client_model if call.renamed or not chunk.get("modelVersion")
            else chunk["modelVersion"]}


def answer_body(call: RelayCall, answer: dict, meter: Meter) -> dict:
    """The non-stream answer: the billed usage, its credits in usageMetadata."""
    return _billed(answer, call, meter)


def _finished(chunk: dict) -> bool:
    return any(isinstance(c, dict) and c.get("finishReason") for c in chunk.get("candidates") or ())


class GeminiWriter:
    """Gemini chunks to the client, as SSE (`data: <json>\\r\\n\\r\\n`, no
    event names, no [DONE]) with alt=sse, else one JSON array. Chunks from
    the first that carries a finishReason on are held until the call is
    settled, then written with the billed usageMetadata on the last one."""

    def __init__(self, call: RelayCall):
        self.call = call
        self.sse = bool(call.ask.body.get("sse"))
        self.tail: list[dict] = []
        self.count = 0
        self.ended = False

    def _frame(self, chunk: dict) -> bytes:
        data = orjson.dumps(chunk)
        if self.sse:
            return b"data: " + data + b"\r\n\r\n"
        head = b"[" if self.count == 0 else b",\r\n"
        self.count += 1
        return head + data

    def start(self) -> None:
        return None

    def event(self, event: StreamEvent, meter: Meter) -> bytes | None:
        chunk = event.chunk
        if chunk is None:
            return None
        if self.tail or _finished(chunk) or event.last:
            self.tail.append(chunk)
            return None
        if self.call.renamed and chunk.get("modelVersion"):
            chunk = {**chunk, "modelVersion": self.call.client_model}
        if self.sse and event.raw is not None and not self.call.renamed:
            return event.raw
        return self._frame(chunk)

    def ping(self) -> bytes:
        return KEEP_ALIVE if self.sse else b"\r\n" if self.count else b""

    def _close(self) -> bytes:
        if self.sse:
            return b""
        return b"]" if self.count else b"[]"

    def end(self, meter: Meter) -> bytes:
        if self.ended:
            return b""
        self.ended = True
        tail = self.tail or [{"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]},
                                              "finishReason": "STOP", "index": 0}]}]
        tail = tail[:-1] + [_billed(tail[-1], self.call, meter)]
        return b"".join(self._frame(chunk) for chunk in tail) + self._close()

    def error(self, error: RelayError) -> bytes:
        self.ended = True
        return self._frame(error_body(error)) + self._close()


DOOR = Door(name="gemini", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=GeminiWriter,
            answer=answer_body, error_body=error_body, key_headers=("x-goog-api-key", "authorization"),
            key_query="key")

"""Anthropic-native upstreams (the Messages API). Anthropic clients' requests
pass through untouched (`*_native`); OpenAI chat requests are converted both
ways, streams included. The channel's base URL ends in /v1, as for the SDK."""
from __future__ import annotations

import orjson

from services.relay.adapters import http
from services.relay.adapters.base import StreamEvent, Timeouts, UpstreamError
from services.relay.adapters.openai import DONE, post, sse_blocks
from services.relay.convert import (OpenAIChunkWriter, UpstreamStreamError, anthropic_to_openai_completion,
                                    openai_to_anthropic_request, status_for_anthropic_error_type)
from services.relay.sse import parse_event

ANTHROPIC_VERSION = "2023-06-01"


def _headers(channel, stream: bool, extra: dict | None) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": http.USER_AGENT,
               "anthropic-version": ANTHROPIC_VERSION}
    if channel.api_key:
        headers["x-api-key"] = channel.api_key
    if stream:
        headers["Accept"] = "text/event-stream"
        headers["Accept-Encoding"] = "identity"
    headers.update(extra or {})
    return headers


def _error(data: dict) -> UpstreamError:
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    kind = error.get("type") or "api_error"
    return UpstreamError(status_for_anthropic_error_type(kind), str(error.get("message") or kind))


class AnthropicEvents:
    """The upstream's Anthropic SSE events as they arrive: StreamEvent(data,
    raw bytes); message_stop comes as the final event with chunk None."""

    def __init__(self, response):
        self.response = response
        self.finished = False

    def __iter__(self):
        for block in sse_blocks(self.response):
            name, payload = parse_event(block)
            if payload is None:
                continue
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError:
                continue
            kind = event.get("type") or name
            if kind == "error":
                raise _error(event)
            if kind == "message_stop":
                self.finished = True
                yield StreamEvent(None, block)
                return
            yield StreamEvent(event, block)

    def abort(self) -> None:
        http.abort_response(self.response)

    def close(self) -> None:
        if self.finished:  # the last event came: the connection may be reusable
            http.finish(self.response)
        else:
            http.close(self.response)


class ConvertedStream:
    """An Anthropic upstream stream as OpenAI chunks (usage always included;
    the OpenAI door hides it unless its client asked)."""

    def __init__(self, events: AnthropicEvents, model: str):
        self.events = events
        self.writer = OpenAIChunkWriter(model=model, include_usage=True)

    def __iter__(self):
        try:
            for event in self.events:
                name = "message_stop" if event.chunk is None else event.chunk.get("type", "")
                data = event.chunk if event.chunk is not None else {"type": "message_stop"}
                for chunk in self.writer.feed(name, data):
                    yield StreamEvent(chunk)
                if event.chunk is None:
                    yield StreamEvent(None, DONE)
                    return
        except UpstreamStreamError as exc:
            raise UpstreamError(status_for_anthropic_error_type(exc.error_type), exc.message) from None

    def abort(self) -> None:
        self.events.abort()

    def close(self) -> None:
        self.events.close()


class AnthropicAdapter:
    def complete(self, channel, body: dict, timeouts: Timeouts) -> dict:
        request = openai_to_anthropic_request(body, upstream_model=body["model"], max_output_tokens=None)
        message = self.complete_native(channel, request, timeouts)
        return anthropic_to_openai_completion(message, model=body["model"])

    def stream(self, channel, body: dict, timeouts: Timeouts) -> ConvertedStream:
        request = openai_to_anthropic_request(body, upstream_model=body["model"], max_output_tokens=None)
        request["stream"] = True
        return ConvertedStream(self.stream_native(channel, request, timeouts), body["model"])

    def complete_native(self, channel, body: dict, timeouts: Timeouts, headers: dict | None = None) -> dict:
        response = post(channel, "/messages", body, timeouts, stream=False,
                        headers=_headers(channel, False, headers))
        try:
            message = orjson.loads(response.data)
        except orjson.JSONDecodeError as exc:
            raise UpstreamError(502, "the upstream sent an unreadable answer") from exc
        if not isinstance(message, dict) or message.get("type") == "error":
            raise _error(message if isinstance(message, dict) else {})
        return message

    def stream_native(self, channel, body: dict, timeouts: Timeouts,
                      headers: dict | None = None) -> AnthropicEvents:
        return AnthropicEvents(post(channel, "/messages", body, timeouts, stream=True,
                                    headers=_headers(channel, True, headers)))

"""Anthropic-native upstreams (the Messages API). The channel's base URL ends
in /v1, as for the SDK."""
from __future__ import annotations

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts
from services.relay.adapters.streams import AnthropicEvents, anthropic_error
from services.relay.adapters.transport import json_answer, post

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


class AnthropicAdapter:
    kind = "anthropic"
    can_send = frozenset({"anthropic.messages"})

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None):
        response = post(channel.base_url + "/messages", body, _headers(channel, stream, headers), timeouts,
                        stream=stream)
        if stream:
            return AnthropicEvents(response)
        message = json_answer(response)
        if message.get("type") == "error":
            raise anthropic_error(message)
        return message

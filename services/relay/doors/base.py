"""A door is one inbound protocol, registered once with its routes: how a
request body becomes the relay's Ask, how a request in its own dialect is
passed through to a channel that speaks it, how its answers and streams are
written, what its errors look like, and where its clients present the key."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Door:
    name: str                  # the request log's door column
    dialect: str               # the wire format its clients speak
    parse: Callable            # (body, headers) -> Ask
    passthrough: Callable      # (ask, target, limit changed) -> Upstream, for a channel speaking its dialect
    writer: Callable           # (call) -> StreamWriter
    answer: Callable           # (call, answer in the door's dialect, meter) -> body
    error_body: Callable       # (RelayError) -> dict
    key_headers: tuple = ("authorization", "x-api-key")
    key_query: str | None = None  # a query parameter that may carry the key too (Gemini's ?key=)
    # A WebSocket subprotocol prefix that may carry the key (browsers cannot set headers):
    # the Realtime API's "openai-insecure-api-key.<key>".
    key_subprotocol: str | None = None


@dataclass(frozen=True)
class RawBody:
    """An answer that is not JSON (a transcript as text, srt or vtt), sent
    to the client as it came from the upstream."""

    content: bytes
    content_type: str

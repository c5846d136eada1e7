"""What every provider adapter offers. Adapters transport a request in a
named dialect (services.relay.dialects) to their kind of upstream and hand
back its answer, or its stream of events, in that same dialect; converting
between dialects is services.relay.convert's job. They never touch the
database or credits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol

from services.catalog.snapshot import Timeouts  # a channel's; the adapters take it from here


class UpstreamError(Exception):
    """The upstream failed. status is None for network failures and
    timeouts; message is the upstream's raw text (sanitised before it is
    shown to anyone)."""

    def __init__(self, status: int | None, message: str, *, retry_after: int | None = None,
                 timeout: bool = False, blocked: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.timeout = timeout
        self.blocked = blocked  # refused by the SSRF policy: never sent

    @property
    def kind(self) -> str:
        """How the failure counts for routing: client (the request's fault,
        never retried), auth (the channel's key is bad), rate_limit, or
        server (5xx, timeouts, refused connections)."""
        if self.status in (400, 413, 422):
            return "client"
        if self.status in (401, 403):
            return "auth"
        if self.status == 429:
            return "rate_limit"
        return "server"


@dataclass(slots=True)
class StreamEvent:
    """One stream event. chunk is the parsed event (None for OpenAI's
    `[DONE]`, which carries nothing, and for the empty `last` event that
    marks the clean end of a Gemini stream); raw is the exact bytes received, when
    they can be relayed as they are; last marks the stream's terminal
    event (`[DONE]`, `message_stop`, `response.completed`...)."""

    chunk: dict | None
    raw: bytes | None = None
    last: bool = False


class EventStream(Protocol):
    def __iter__(self) -> Iterator[StreamEvent]: ...

    def abort(self) -> None:
        """Called from another greenlet when the client is gone: unblock any
        read in progress and drop the upstream connection."""

    def close(self) -> None: ...


class Adapter(Protocol):
    kind: str                  # the channel's provider kind
    can_send: frozenset        # the dialects this kind of upstream may be asked to speak

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None,
             files: list | None = None) -> dict | EventStream:
        """POST `body` (in `dialect`) to the channel: the answer, or its
        events, in the same dialect. `path` replaces the dialect's own
        (image edits, audio translations); `files` makes the request
        multipart, `body` being its fields. Failures raise UpstreamError."""

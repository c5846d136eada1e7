"""What the doors of the non-chat OpenAI families share (embeddings, images,
audio, moderations, rerank): requests are passed through to a channel that
speaks the family, with the model renamed; streams (partial images,
speech, transcripts) and binary answers (speech audio) are relayed as they
arrive; errors are OpenAI's shape. The family doors add parsing, bounds
and measures, which is where they differ."""
from __future__ import annotations

import orjson

from services.relay.call import Ask, Upstream
from services.relay.convert.table import Target
from services.relay.doors.openai_chat import relay_error_body
from services.relay.errors import RelayError


def passthrough_for(dialect: str):
    """The door's passthrough: the client's request under the upstream's
    model name, to the family's path (or the one the door chose)."""
    def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
        return Upstream({**ask.body, "model": target.upstream_model}, dialect, path=ask.path, files=ask.files)
    return passthrough


class MediaWriter:
    """Relays the upstream's bytes as they came: SSE events (their raw
    block, the terminal one last, once the call is settled) or audio
    chunks. A failure mid-stream is an `error` event on SSE; a binary
    answer can only end early."""

    def __init__(self, call):
        self.call = call
        self.sse = True

    def start(self):
        return None

    def event(self, event, meter) -> bytes | None:
        if event.chunk is None and event.raw is not None and not event.raw.startswith((b"data:", b"event:")):
            self.sse = False
        return event.raw

    def ping(self) -> bytes:
        return b": ping\n\n" if self.sse else b""

    def end(self, meter) -> bytes:
        return b""

    def error(self, error: RelayError) -> bytes:
        if not self.sse:
            return b""
        return b"event: error\ndata: " + orjson.dumps({"type": "error", **relay_error_body(error)}) + b"\n\n"


def answer(call, answer: dict, meter) -> dict:
    """A whole answer as the upstream gave it, under the client's model name."""
    if call.renamed and isinstance(answer.get("model"), str):
        answer = {**answer, "model": call.client_model}
    return answer


__all__ = ["MediaWriter", "answer", "passthrough_for", "relay_error_body"]

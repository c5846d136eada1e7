"""Upstream SSE streams, one reader per dialect: where the stream ends,
which events are errors. Each yields StreamEvent(parsed, raw bytes), the
terminal event marked `last`, and hands its connection back to the pool only
when the body was read to the end."""
from __future__ import annotations

import orjson

from services.relay.adapters import http
from services.relay.adapters.base import StreamEvent, UpstreamError
from services.relay.adapters.transport import body_chunks, error_message, sse_blocks
from services.relay.convert import status_for_anthropic_error_type
from services.relay.sse import parse_event

DONE = b"data: [DONE]\n\n"


class _Stream:
    def __init__(self, response):
        self.response = response
        self.finished = False  # the terminal event came

    def abort(self) -> None:
        http.abort_response(self.response)

    def close(self) -> None:
        if self.finished:  # the last event came: the connection may be reusable
            http.finish(self.response)
        else:
            http.close(self.response)


class OpenAIChatStream(_Stream):
    """Chat completion chunks; `[DONE]` comes last with chunk None."""

    def __iter__(self):
        for block in sse_blocks(self.response):
            _name, data = parse_event(block)
            if data is None:
                continue  # keep-alive comment
            if data.strip() == "[DONE]":
                self.finished = True
                yield StreamEvent(None, DONE, last=True)
                return
            try:
                chunk = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            if isinstance(chunk, dict) and chunk.get("error") and not chunk.get("choices"):
                raise UpstreamError(502, error_message(data))
            if isinstance(chunk, dict):
                yield StreamEvent(chunk, block)


def anthropic_error(data: dict) -> UpstreamError:
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    kind = error.get("type") or "api_error"
    return UpstreamError(status_for_anthropic_error_type(kind), str(error.get("message") or kind))


class _TypedEvents(_Stream):
    """Named JSON events (`event: T` / `data: {"type": T, ...}`): an `error`
    event is the upstream failing (`error` makes the exception from it), a
    `terminal` one comes last."""

    terminal: frozenset
    error: staticmethod

    def __iter__(self):
        for block in sse_blocks(self.response):
            name, payload = parse_event(block)
            if payload is None:
                continue
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            kind = event.get("type") or name
            if kind == "error":
                raise self.error(event)
            if kind in self.terminal:
                self.finished = True
                yield StreamEvent(event, block, last=True)
                return
            yield StreamEvent(event, block)


class AnthropicEvents(_TypedEvents):
    """Anthropic message events; `message_stop` comes last."""

    terminal = frozenset({"message_stop"})
    error = staticmethod(anthropic_error)


RESPONSES_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})


def responses_error(event: dict) -> UpstreamError:
    error = event.get("error") if isinstance(event.get("error"), dict) else event
    return UpstreamError(502, str(error.get("message") or "upstream error"))


class ResponsesEvents(_TypedEvents):
    """Responses API events (typed, no `[DONE]`); `response.completed`,
    `.incomplete` or `.failed` comes last. A bare `error` event is the
    upstream failing."""

    terminal = RESPONSES_TERMINAL
    error = staticmethod(responses_error)


def gemini_error(data: dict) -> UpstreamError:
    """Google's error shape, `{"error": {"code", "message", "status"}}`."""
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    code = error.get("code")
    status = code if isinstance(code, int) and 400 <= code <= 599 else 502
    return UpstreamError(status, str(error.get("message") or error.get("status") or "upstream error"))


class GeminiStream(_Stream):
    """Gemini's `alt=sse` stream: `data: <GenerateContentResponse>` frames,
    no event names, no `[DONE]`; the stream ends at EOF. A frame holding an
    `error` is the upstream failing. The usage comes with the finishReason
    in the last chunk, so nothing is terminal until the body ends: then,
    if a finishReason came, an empty event marked `last` closes the stream
    (chunk None, raw b""); a body that ends without one is a broken stream
    (no `last`, and the relay says so)."""

    def __iter__(self):
        finish_seen = False
        for block in sse_blocks(self.response):
            _name, data = parse_event(block)
            if data is None:
                continue
            try:
                chunk = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(chunk, dict):
                continue
            if isinstance(chunk.get("error"), dict):
                raise gemini_error(chunk)
            if any(isinstance(c, dict) and c.get("finishReason") for c in chunk.get("candidates") or ()) \
                    or (chunk.get("promptFeedback") or {}).get("blockReason"):
                finish_seen = True
            yield StreamEvent(chunk, block)
        if finish_seen:
            self.finished = True  # read to its end: the connection may go back to the pool
            yield StreamEvent(None, b"", last=True)


class MediaEvents(_TypedEvents):
    """The typed SSE streams of the media endpoints: partial images
    (`image_generation.completed` / `image_edit.completed` last), speech
    (`speech.audio.done`) and transcripts (`transcript.text.done`)."""

    terminal = frozenset({"image_generation.completed", "image_edit.completed", "speech.audio.done",
                          "transcript.text.done"})
    error = staticmethod(responses_error)


class ImageEvents(MediaEvents):
    """Partial images then one `*.completed` event per image: with n > 1
    there are several, so the stream ends with its body, not at the first
    (then an empty event marked `last`; a body that ends without any
    completed image is a broken stream)."""

    terminal = frozenset()

    def __iter__(self):
        completed = False
        for event in super().__iter__():
            completed = completed or (event.chunk or {}).get("type") in MediaEvents.terminal
            yield event
        if completed:
            self.finished = True
            yield StreamEvent(None, b"", last=True)


class BinaryStream(_Stream):
    """A binary answer (speech audio) relayed as it arrives: each read is
    one event with chunk None and the bytes as raw; an empty `last` event
    marks the end of the body."""

    def __iter__(self):
        for data in body_chunks(self.response):
            yield StreamEvent(None, data)
        self.finished = True
        yield StreamEvent(None, b"", last=True)


class WholeTranscript(_Stream):
    """A transcription asked for as a stream that the upstream answered
    whole (whisper ignores `stream`): its JSON, as the one terminal
    `transcript.text.done` event a streaming client reads."""

    def __iter__(self):
        try:
            answer = orjson.loads(self.response.data)
        except (orjson.JSONDecodeError, http.HTTPError, OSError) as exc:
            raise UpstreamError(502, "the upstream sent an unreadable answer") from exc
        if not isinstance(answer, dict):
            raise UpstreamError(502, "the upstream sent an unreadable answer")
        event = {"type": "transcript.text.done", "text": answer.get("text") or ""}
        if isinstance(answer.get("usage"), dict):
            event["usage"] = answer["usage"]
        self.finished = True
        yield StreamEvent(event, b"event: transcript.text.done\ndata: " + orjson.dumps(event) + b"\n\n", last=True)


def transcript_stream(response):
    content_type = (response.headers.get("Content-Type") or "").lower()
    return WholeTranscript(response) if "json" in content_type else MediaEvents(response)


def media_stream(response):
    """Audio bytes, or typed events when the upstream answers with SSE."""
    content_type = (response.headers.get("Content-Type") or "").lower()
    stream = MediaEvents(response) if content_type.startswith("text/event-stream") else BinaryStream(response)
    stream.content_type = content_type or "application/octet-stream"
    return stream


STREAMS = {
    "openai.chat": OpenAIChatStream,
    "openai.completions": OpenAIChatStream,  # the same framing: data chunks, then [DONE]
    "anthropic.messages": AnthropicEvents,
    "openai.responses": ResponsesEvents,
    "gemini": GeminiStream,
    "openai.images": ImageEvents,
    "openai.audio.speech": media_stream,
    "openai.audio.transcriptions": transcript_stream,
}

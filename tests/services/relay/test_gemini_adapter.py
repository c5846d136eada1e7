"""The Gemini adapter's URL and its alt=sse stream reader: no event names,
no [DONE]; a stream that finished ends with an empty `last` event, one that
did not ends without it, and an `error` frame is the upstream failing."""
from __future__ import annotations

import io

import orjson
import pytest

from services.relay.adapters import ADAPTERS
from services.relay.adapters.base import UpstreamError
from services.relay.adapters.gemini import url_for
from services.relay.adapters.streams import STREAMS, GeminiStream


class Body:
    def __init__(self, data: bytes):
        self.stream = io.BytesIO(data)

    def read1(self, n):
        return self.stream.read1(min(n, 7))  # small reads: frames arrive in pieces


def frames(*chunks) -> bytes:
    return b"".join(b"data: " + orjson.dumps(c) + b"\r\n\r\n" for c in chunks)


TEXT = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}, "index": 0}]}
LAST = {"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1}}


def test_registered():
    assert ADAPTERS["gemini"].can_send == frozenset({"gemini"}) and STREAMS["gemini"] is GeminiStream


@pytest.mark.parametrize("model, stream, url", [
    ("gemini-2.5-flash", False, "https://g.example/v1beta/models/gemini-2.5-flash:generateContent"),
    ("models/gemini-2.5-pro", True, "https://g.example/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"),
    ("tuned/x y", False, "https://g.example/v1beta/models/tuned%2Fx%20y:generateContent"),
])
def test_url(model, stream, url):
    assert url_for("https://g.example/v1beta/", model, stream) == url


def test_a_finished_stream_ends_with_an_empty_last_event():
    stream = GeminiStream(Body(frames(TEXT, LAST)))
    events = list(stream)
    assert [e.chunk for e in events[:2]] == [TEXT, LAST] and not any(e.last for e in events[:2])
    assert events[2].chunk is None and events[2].raw == b"" and events[2].last and stream.finished


def test_a_stream_cut_before_its_finish_reason_has_no_last_event():
    stream = GeminiStream(Body(frames(TEXT)))
    assert [e.last for e in stream] == [False] and not stream.finished


def test_an_error_frame_is_the_upstream_failing():
    stream = GeminiStream(Body(frames(TEXT, {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}})))
    with pytest.raises(UpstreamError) as caught:
        list(stream)
    assert (caught.value.status, caught.value.message) == (503, "overloaded")

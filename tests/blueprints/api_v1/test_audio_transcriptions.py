"""POST /v1/audio/transcriptions and /translations through the openai SDK:
the upload reaches the upstream whole (model renamed), every
response_format comes back as the upstream gave it, and the call is billed
on the upstream's usage (whisper: seconds; gpt-4o-transcribe: tokens) or,
for text/srt/vtt, on the duration measured here and the text. An upload
that is not audio is a 400, unbilled; one over AUDIO_UPLOAD_MAX_BYTES is a
413 before it is read."""
from __future__ import annotations

import math
import socket
import time

import mutagen
import openai
import pytest
import requests
from openai import OpenAI

from services.relay.meter import TextCounter
from tests.blueprints.api_v1.audio_stack import assert_settled, ms, seconds_cost, seed, tokens_cost, wav
from tests.fakes.upstream.audio_wire import DEFAULT_REPLY, mp3_bytes, transcribe_usage
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 10_000_000
SECONDS = 2.5
LIMIT = 1024 * 1024  # AUDIO_UPLOAD_MAX_BYTES for this server


@pytest.fixture(scope="module")
def tstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="transcribe", env={"AUDIO_UPLOAD_MAX_BYTES": str(LIMIT)})
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


@pytest.fixture
def client_for(tstack):
    raw, _, account = tstack.new_key(CREDITS)
    return OpenAI(api_key=raw, base_url=tstack.base_url, max_retries=0, timeout=30), account, raw


def text_tokens(text: str) -> int:
    counter = TextCounter()
    counter.add(text)
    return counter.tokens


@pytest.mark.parametrize("fmt", ["json", "verbose_json"])
def test_whisper_json_is_billed_on_the_seconds_it_reports(tstack, upstream, client_for, fmt):
    client, account, _ = client_for
    audio = wav(SECONDS)
    result = client.audio.transcriptions.create(file=("clip.wav", audio, "audio/wav"), model="whisper-1",
                                                response_format=fmt, language="en", temperature=0.2)
    assert result.text == DEFAULT_REPLY
    usage = result.usage if fmt == "json" else result.model_extra.get("usage", getattr(result, "usage", None))
    assert dict(usage) == {"type": "duration", "seconds": 3}
    if fmt == "verbose_json":
        assert result.duration == SECONDS and result.segments[0].text == DEFAULT_REPLY
    sent = upstream.last_request()
    assert sent["path"] == "/v1/audio/transcriptions"
    assert sent["form"]["model"] == "whisper-1-up" and sent["form"]["language"] == "en"
    assert sent["file"] == {"filename": "clip.wav", "size": len(audio), "content_type": "audio/wav"}
    log = assert_settled(tstack, account, seconds_cost(3000), CREDITS)  # whisper's whole seconds
    assert (log.door, log.model, log.estimated) == ("transcriptions", "whisper-1", False)


@pytest.mark.parametrize("fmt, head", [("text", DEFAULT_REPLY), ("srt", "1\n00:00:00,000 --> 00:00:02,500\n"),
                                       ("vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n")])
def test_text_formats_come_as_they_are_and_are_billed_on_the_measured_duration(tstack, upstream, client_for,
                                                                                fmt, head):
    client, account, _ = client_for
    result = client.audio.transcriptions.create(file=("clip.wav", wav(SECONDS), "audio/wav"), model="whisper-1",
                                                response_format=fmt)
    assert isinstance(result, str) and result.startswith(head) and DEFAULT_REPLY in result
    log = assert_settled(tstack, account, seconds_cost(ms(SECONDS)), CREDITS)
    assert log.estimated is True


def test_words_and_segments_granularities_pass_through(tstack, upstream, client_for):
    client, account, _ = client_for
    result = client.audio.transcriptions.create(file=("clip.wav", wav(SECONDS), "audio/wav"), model="whisper-1",
                                                response_format="verbose_json",
                                                timestamp_granularities=["word", "segment"])
    assert [w.word for w in result.words] == DEFAULT_REPLY.split()
    assert upstream.last_request()["form"]["timestamp_granularities[]"] == ["word", "segment"]
    assert_settled(tstack, account, seconds_cost(3000), CREDITS)


def test_gpt_4o_transcribe_is_billed_on_its_tokens(tstack, upstream, client_for):
    client, account, _ = client_for
    prompt = "names: Tollgate " + directive(reply="one two three four")
    result = client.audio.transcriptions.create(file=("clip.wav", wav(SECONDS), "audio/wav"),
                                                model="gpt-4o-transcribe", prompt=prompt)
    usage = transcribe_usage(SECONDS, "one two three four", prompt)
    assert result.text == "one two three four" and result.usage.input_tokens == usage["input_tokens"]
    assert_settled(tstack, account, tokens_cost(usage["input_tokens"], usage["output_tokens"]), CREDITS)


def test_gpt_4o_transcribe_text_is_billed_on_the_local_estimate(tstack, upstream, client_for):
    client, account, _ = client_for
    result = client.audio.transcriptions.create(file=("clip.wav", wav(SECONDS), "audio/wav"),
                                                model="gpt-4o-transcribe", response_format="text")
    audio_tokens = math.ceil(SECONDS * 10)  # the door's AUDIO_TOKENS_PER_SECOND
    log = assert_settled(tstack, account, tokens_cost(audio_tokens, text_tokens(result)), CREDITS)
    assert (log.prompt_tokens, log.estimated) == (audio_tokens, True)


def test_a_stream_is_relayed_and_billed_on_the_usage_of_its_last_event(tstack, upstream, client_for):
    client, account, _ = client_for
    events = list(client.audio.transcriptions.create(file=("clip.wav", wav(SECONDS), "audio/wav"),
                                                     model="gpt-4o-transcribe", stream=True))
    assert [e.type for e in events][-1] == "transcript.text.done"
    assert "".join(e.delta for e in events if e.type == "transcript.text.delta") == DEFAULT_REPLY
    usage = transcribe_usage(SECONDS, DEFAULT_REPLY, None)
    assert events[-1].usage.input_tokens == usage["input_tokens"]
    log = assert_settled(tstack, account, tokens_cost(usage["input_tokens"], usage["output_tokens"]), CREDITS)
    assert log.stream is True


def test_whisper_asked_to_stream_answers_whole_and_the_client_reads_it_as_the_last_event(tstack, upstream,
                                                                                         client_for):
    client, account, _ = client_for  # whisper ignores `stream` and answers JSON, as the real API does
    events = list(client.audio.transcriptions.create(file=("clip.wav", wav(SECONDS), "audio/wav"),
                                                     model="whisper-1", stream=True))
    assert [e.type for e in events] == ["transcript.text.done"] and events[0].text == DEFAULT_REPLY
    log = assert_settled(tstack, account, seconds_cost(3000), CREDITS)
    assert log.stream is True and log.status == 200 and log.estimated is False


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the SDK marks translations so
@pytest.mark.parametrize("fmt", ["json", "text", "verbose_json"])
def test_translations(tstack, upstream, client_for, fmt):
    client, account, _ = client_for
    result = client.audio.translations.create(file=("clip.wav", wav(SECONDS), "audio/wav"), model="whisper-1",
                                              response_format=fmt)
    assert upstream.last_request()["path"] == "/v1/audio/translations"
    if fmt == "text":
        assert result == DEFAULT_REPLY + "\n"
        cost = seconds_cost(ms(SECONDS))
    else:
        assert result.text == DEFAULT_REPLY
        cost = seconds_cost(3000)
    if fmt == "verbose_json":
        assert result.model_extra["task"] == "translate"
    log = assert_settled(tstack, account, cost, CREDITS)
    assert log.door == "translations"


def test_an_mp3_is_measured(tstack, upstream, client_for):
    client, account, _ = client_for
    audio = mp3_bytes(100)
    seconds = mutagen.File(__import__("io").BytesIO(audio)).info.length
    result = client.audio.transcriptions.create(file=("clip.mp3", audio, "audio/mpeg"), model="whisper-1",
                                                response_format="text")
    assert result == DEFAULT_REPLY + "\n"
    assert_settled(tstack, account, seconds_cost(ms(seconds)), CREDITS)


@pytest.mark.parametrize("name, data", [("clip.wav", b"RIFF\x00\x00\x00\x00WAVEjunk"), ("clip.mp3", b"not audio" * 50),
                                        ("clip.webm", b"\x1aE\xdf\xa3" + b"\x00" * 64), ("empty.wav", wav(0))])
def test_a_file_that_is_not_audio_we_read_is_a_400_and_unbilled(tstack, upstream, client_for, name, data):
    client, account, _ = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(file=(name, data, "audio/wav"), model="whisper-1")
    assert caught.value.code == "invalid_audio" and "mp3" in caught.value.message and "wav" in caught.value.message
    assert upstream.stats()["calls"] == 0 and tstack.balance(account) == CREDITS
    (log,) = tstack.logs(account)
    assert (log.status, log.credits) == (400, 0)


@pytest.mark.parametrize("fields, words", [({"response_format": "xml"}, "response_format"),
                                           ({"temperature": "2"}, "temperature"),
                                           ({"stream": "maybe"}, "stream")])
def test_bad_fields_are_a_400(tstack, upstream, client_for, fields, words):
    _, account, raw = client_for
    response = requests.post(tstack.url + "/v1/audio/transcriptions", headers={"Authorization": f"Bearer {raw}"},
                             data={"model": "whisper-1", **fields}, files={"file": ("a.wav", wav(1), "audio/wav")},
                             timeout=30)
    assert response.status_code == 400 and words in response.json()["error"]["message"]
    assert upstream.stats()["calls"] == 0 and tstack.balance(account) == CREDITS


def test_no_file_is_a_400(tstack, upstream, client_for):
    _, _, raw = client_for
    response = requests.post(tstack.url + "/api/v1/audio/transcriptions", headers={"Authorization": f"Bearer {raw}"},
                             files={"model": (None, "whisper-1")}, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["code"] == "file_required"


def test_an_upload_over_the_limit_is_a_413(tstack, upstream, client_for):
    client, account, _ = client_for
    with pytest.raises(openai.APIStatusError) as caught:
        client.audio.transcriptions.create(file=("big.wav", wav(LIMIT / 16000 + 1), "audio/wav"), model="whisper-1")
    assert caught.value.status_code == 413 and upstream.stats()["calls"] == 0
    assert tstack.balance(account) == CREDITS


def test_a_huge_declared_length_is_refused_before_the_body_is_read(tstack, upstream, client_for):
    _, _, raw = client_for
    host, port = tstack.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    started = time.monotonic()
    sock.sendall(b"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + raw.encode()
                 + b"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000000\r\n\r\n"
                 + b"--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n")
    head = sock.recv(65536)
    while b"request_too_large" not in head and (more := sock.recv(65536)):  # the body may come as its own write
        head += more
    sock.close()
    assert head.startswith(b"HTTP/1.1 413") and b"request_too_large" in head
    assert time.monotonic() - started < 5 and upstream.stats()["calls"] == 0

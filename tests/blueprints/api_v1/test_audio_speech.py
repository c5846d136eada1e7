"""POST /v1/audio/speech through the openai SDK: the upstream's audio
bytes arrive intact, as they are made (chunk by chunk), under its content
type; SSE (`stream_format: "sse"`) is relayed event by event. Billed per
character (tts-1) or per token (gpt-4o-mini-tts, on the usage of
`speech.audio.done`); a client that hangs up is billed its characters and
its hold released; bad input is a 400, unbilled."""
from __future__ import annotations

import base64
import socket
import time

import openai
import orjson
import pytest
import requests
from openai import OpenAI

from tests.blueprints.api_v1.audio_stack import assert_settled, characters_cost, entries, seed, tokens_cost, \
    wait_for_log
from tests.fakes.upstream.audio_wire import CONTENT_TYPES, speech_audio, speech_usage
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

CREDITS = 10_000_000
TEXT = "The quick brown fox jumps over the lazy dog. "


@pytest.fixture(scope="module")
def sstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="speech")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


@pytest.fixture
def client_for(sstack):
    raw, _, account = sstack.new_key(CREDITS)
    return OpenAI(api_key=raw, base_url=sstack.base_url, max_retries=0, timeout=30), account, raw


@pytest.mark.parametrize("fmt", sorted(CONTENT_TYPES))
def test_audio_bytes_arrive_intact_and_as_they_are_made(sstack, upstream, client_for, fmt):
    client, account, _ = client_for
    text = TEXT + directive(delay=0.3, chunks=4)
    arrivals, chunks = [], []
    with client.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input=text,
                                                            response_format=fmt) as response:
        assert response.headers["content-type"] == CONTENT_TYPES[fmt]
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            arrivals.append(time.monotonic())
    assert b"".join(chunks) == speech_audio(text, fmt)
    assert arrivals[-1] - arrivals[0] > 0.6  # the first bytes came long before the last
    sent = upstream.last_request()
    assert sent["path"] == "/v1/audio/speech" and sent["body"]["response_format"] == fmt
    log = assert_settled(sstack, account, characters_cost(len(text)), CREDITS)
    assert (log.door, log.model, log.stream) == ("speech", "tts-1", True)


def test_sse_is_relayed_and_token_billed_on_the_usage_it_reports(sstack, upstream, client_for):
    client, account, _ = client_for
    body = {"model": "gpt-4o-mini-tts", "voice": "coral", "input": TEXT, "instructions": "Speak cheerfully.",
            "response_format": "wav"}
    with client.audio.speech.with_streaming_response.create(**body, stream_format="sse") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = response.read()
    events = [orjson.loads(block[len(b"data: "):]) for block in raw.split(b"\n\n") if block.startswith(b"data: ")]
    assert [e["type"] for e in events][-1] == "speech.audio.done"
    audio = b"".join(base64.b64decode(e["audio"]) for e in events if e["type"] == "speech.audio.delta")
    assert audio == speech_audio(TEXT, "wav")
    usage = speech_usage(body)
    assert events[-1]["usage"] == usage
    assert_settled(sstack, account, tokens_cost(usage["input_tokens"], usage["output_tokens"]), CREDITS)


def test_binary_answer_of_a_token_billed_model_is_billed_on_its_input_estimate(sstack, upstream, client_for):
    client, account, _ = client_for
    with client.audio.speech.with_streaming_response.create(model="gpt-4o-mini-tts", voice="coral",
                                                            input="abcdefgh" * 4) as response:
        assert response.read() == speech_audio("abcdefgh" * 4, "mp3")
    log = assert_settled(sstack, account, tokens_cost(8, 0), CREDITS)  # 32 ASCII characters: 8 tokens
    assert log.estimated is True


def test_api_v1_alias(sstack, upstream, client_for):
    _, account, raw = client_for
    response = requests.post(sstack.url + "/api/v1/audio/speech", headers={"Authorization": f"Bearer {raw}"},
                             json={"model": "tts-1", "voice": "alloy", "input": "hi", "response_format": "pcm"},
                             timeout=30)
    assert response.status_code == 200 and response.content == speech_audio("hi", "pcm")
    assert_settled(sstack, account, characters_cost(2), CREDITS)


def test_a_client_that_hangs_up_is_billed_its_characters_and_the_hold_released(sstack, upstream, client_for):
    _, account, raw = client_for
    text = TEXT * 3 + directive(delay=1.0, chunks=8)
    body = orjson.dumps({"model": "tts-1", "voice": "alloy", "input": text, "response_format": "wav"})
    host, port = sstack.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + raw.encode()
                 + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                 + b"\r\n\r\n" + body)
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")  # the head and the first audio
    sock.close()
    (log,) = wait_for_log(sstack, account)
    assert (log.status, log.credits) == (499, characters_cost(len(text)))
    upstream.wait_for(lambda s: s["aborted"] >= 1)  # the upstream was let go too
    assert [k for k, _ in entries(sstack, account)] == ["adjust", "reserve", "release", "charge"]
    assert sstack.balance(account) == CREDITS - log.credits
    assert sstack.verify() == []


@pytest.mark.parametrize("body, words", [
    ({"voice": "alloy", "input": ""}, "input"),
    ({"voice": "alloy", "input": "x" * 4097}, "4096"),
    ({"voice": "", "input": "hi"}, "voice"),
    ({"voice": "alloy", "input": "hi", "response_format": "ogg"}, "response_format"),
    ({"voice": "alloy", "input": "hi", "speed": 5}, "speed"),
    ({"voice": "alloy", "input": "hi", "stream_format": "chunks"}, "stream_format"),
])
def test_bad_input_is_a_400_and_unbilled(sstack, upstream, client_for, body, words):
    client, account, _ = client_for
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(model="tts-1", **body)
    assert words in caught.value.message
    assert upstream.stats()["calls"] == 0 and sstack.balance(account) == CREDITS


def test_a_balance_short_of_the_hold_is_a_402(sstack, upstream):
    raw, _, account = sstack.new_key(characters_cost(100) - 1)
    client = OpenAI(api_key=raw, base_url=sstack.base_url, max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        client.audio.speech.create(model="tts-1", voice="alloy", input="x" * 100)
    assert caught.value.status_code == 402 and upstream.stats()["calls"] == 0

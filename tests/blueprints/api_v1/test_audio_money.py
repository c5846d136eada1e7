"""Exact credits for each audio unit from real requests, on SQLite and
PostgreSQL: characters (tts-1), speech tokens (gpt-4o-mini-tts over SSE),
seconds reported (whisper json) and measured (whisper text), transcription
tokens reported (gpt-4o-transcribe json); each held no less than charged,
and the ledger verifies clean afterwards."""
from __future__ import annotations

import math

import pytest
import requests

from tests.blueprints.api_v1.audio_stack import assert_settled, characters_cost, ms, seconds_cost, seed, \
    tokens_cost, wav
from tests.fakes.upstream.audio_wire import speech_usage, transcribe_usage
from tests.support.stack import Stack

CREDITS = 1_000_000
TEXT = "Tollgate reads this aloud, once."
SECONDS = 1.75


@pytest.fixture(scope="module")
def amoney(databases, fake_upstream):
    stack = Stack(databases.new(), name=f"audio-money-{databases.kind}")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def speech(stack, raw, **body):
    response = requests.post(stack.url + "/v1/audio/speech", headers={"Authorization": f"Bearer {raw}"},
                             json={"voice": "alloy", "input": TEXT, **body}, timeout=30)
    assert response.status_code == 200, response.text


def transcribe(stack, raw, **fields):
    response = requests.post(stack.url + "/v1/audio/transcriptions", headers={"Authorization": f"Bearer {raw}"},
                             data=fields, files={"file": ("clip.wav", wav(SECONDS), "audio/wav")}, timeout=30)
    assert response.status_code == 200, response.text


SPEECH_TOKENS = speech_usage({"input": TEXT})
TRANSCRIBE_TOKENS = transcribe_usage(SECONDS, "Hello from the fake upstream.", None)
CASES = {
    "characters": (lambda s, k: speech(s, k, model="tts-1"), characters_cost(len(TEXT))),
    "speech tokens": (lambda s, k: speech(s, k, model="gpt-4o-mini-tts", stream_format="sse"),
                      tokens_cost(SPEECH_TOKENS["input_tokens"], SPEECH_TOKENS["output_tokens"])),
    "seconds reported": (lambda s, k: transcribe(s, k, model="whisper-1"), seconds_cost(math.ceil(SECONDS) * 1000)),
    "seconds measured": (lambda s, k: transcribe(s, k, model="whisper-1", response_format="vtt"),
                         seconds_cost(ms(SECONDS))),
    "transcription tokens": (lambda s, k: transcribe(s, k, model="gpt-4o-transcribe"),
                             tokens_cost(TRANSCRIBE_TOKENS["input_tokens"], TRANSCRIBE_TOKENS["output_tokens"])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_exact_credits(amoney, upstream, case):
    call, credits = CASES[case]
    raw, _, account = amoney.new_key(CREDITS)
    call(amoney, raw)
    assert_settled(amoney, account, credits, CREDITS)

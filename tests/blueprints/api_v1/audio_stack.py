"""A Tollgate whose audio channel is the fake upstream: models billed per
character (tts-1), per token (gpt-4o-mini-tts, gpt-4o-transcribe) and per
second (whisper-1, renamed upstream), the files the tests upload, and the
exact costs."""
from __future__ import annotations

import math
import time

from tests.fakes.upstream.audio_wire import wav_bytes
from tests.support.stack import Stack

REQUEST = 3  # the flat request price of every audio model
CHARACTER = 15_000_000  # per 1M characters: 15 credits a character
SECOND = 100  # per second of audio: 0.1 credit a millisecond
TOKENS = {"input_price": 2_000_000, "output_price": 5_000_000}  # 2 and 5 credits a token
MODELS = {
    "tts-1": {"character_price": CHARACTER},
    "gpt-4o-mini-tts": TOKENS,
    "whisper-1": {"second_price": SECOND},
    "gpt-4o-transcribe": TOKENS,
}
SPEAKS = "openai.audio.speech,openai.audio.transcriptions"


def seed(stack: Stack, upstream_v1: str) -> None:
    for model, prices in MODELS.items():
        stack.set_model(model, request_price=REQUEST, **prices)
    stack.add_channel("audio", upstream_v1, list(MODELS), speaks=SPEAKS, model_map={"whisper-1": "whisper-1-up"})


def characters_cost(characters: int) -> int:
    return -(-characters * CHARACTER // 1_000_000) + REQUEST


def tokens_cost(prompt: int, completion: int) -> int:
    micro = prompt * TOKENS["input_price"] + completion * TOKENS["output_price"]
    return -(-micro // 1_000_000) + REQUEST


def seconds_cost(ms: int) -> int:
    return -(-ms * SECOND * 1000 // 1_000_000) + REQUEST


def wav(seconds: float, rate: int = 8000) -> bytes:
    """A WAV of silence lasting exactly `seconds`."""
    return wav_bytes(seconds, rate)


def ms(seconds: float) -> int:
    return math.ceil(seconds * 1000)


def entries(stack: Stack, account: int) -> list[tuple[str, int]]:
    return [(e.kind, e.amount) for e in stack.entries(account)]


def assert_settled(stack: Stack, account: int, credits: int, start: int, status: int = 200):
    """One request logged at `credits`, held no less, the hold released, the books balanced."""
    (log,) = stack.logs(account)
    assert (log.status, log.credits) == (status, credits)
    kinds = entries(stack, account)
    assert [k for k, _ in kinds] == ["adjust", "reserve", "release", "charge"]
    hold = -kinds[1][1]
    assert kinds[2][1] == hold and kinds[3][1] == -credits and hold >= credits
    assert stack.balance(account) == start - credits
    assert stack.verify() == []
    return log


def wait_for_log(stack: Stack, account: int, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = stack.logs(account)
        if logs:
            return logs
        time.sleep(0.05)
    raise AssertionError("no request log")

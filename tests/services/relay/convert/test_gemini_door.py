"""The Gemini door's pure parts: parse, pass-through body, count, errors."""
from __future__ import annotations

import pytest

from services.relay.convert.table import Target, converter
from services.relay.doors import gemini
from services.relay.errors import RelayError

BODY = {"contents": [{"role": "user", "parts": [{"text": "hello there"}]}], "generationConfig": {"maxOutputTokens": 9}}


def test_parse_reads_the_envelope():
    ask = gemini.parse(gemini.envelope("gemini-2.5-flash", BODY, stream=True, sse=True))
    assert (ask.model_id, ask.stream, ask.output_tokens, ask.message_count) == ("gemini-2.5-flash", True, 9, 1)
    assert ask.prompt_bound >= ask.prompt_estimate > 0


def test_passthrough_body_carries_the_upstream_model_for_the_adapter():
    ask = gemini.parse(gemini.envelope("client", BODY, stream=True, sse=False))
    up = gemini.passthrough(ask, Target(upstream_model="gemini-2.5-pro", client_model="client",
                                        max_output_tokens=5), True)
    assert up.dialect == "gemini" and set(up.body) == {"model", "contents", "generationConfig"}
    assert up.body["model"] == "gemini-2.5-pro" and up.body["generationConfig"] == {"maxOutputTokens": 5}


@pytest.mark.parametrize("body", [{"contents": []}, {"contents": "x"},
                                  {**BODY, "generationConfig": {"candidateCount": 2}},
                                  {**BODY, "api_key": "x"}])
def test_parse_refuses(body):
    with pytest.raises(RelayError) as caught:
        gemini.parse(gemini.envelope("m", body, stream=False, sse=False))
    assert caught.value.status == 400


def test_count_tokens_either_form():
    assert gemini.count(BODY)["totalTokens"] == gemini.count({"generateContentRequest": BODY})["totalTokens"] > 0


def test_error_shape_and_statuses():
    assert gemini.error_body(RelayError(402, "insufficient_credits", "Insufficient credits")) == {
        "error": {"code": 403, "message": "Insufficient credits", "status": "PERMISSION_DENIED"}}
    for status, name in ((400, "INVALID_ARGUMENT"), (401, "UNAUTHENTICATED"), (404, "NOT_FOUND"),
                         (429, "RESOURCE_EXHAUSTED"), (500, "INTERNAL"), (503, "UNAVAILABLE")):
        assert gemini.error_body(RelayError(status, "x", "m"))["error"]["status"] == name


def test_chat_only_anthropic_and_responses_channels_are_reached():
    assert converter("gemini", "openai.chat") is not None
    assert converter("gemini", "anthropic.messages") is not None  # through chat
    assert converter("gemini", "openai.responses") is not None

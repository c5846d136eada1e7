"""The embedding conversions without a server: base64 float32 both ways,
an upstream that sends base64 unasked, and Gemini's request and answer."""
from __future__ import annotations

import pytest

from services.relay.convert.embeddings import EmbeddingRequestError, from_base64, gemini_to_openai_request, \
    openai_to_gemini_answer, to_base64
from services.relay.doors.embeddings import vector

VALUES = [0.5, -0.25, 1.0, 0.125]


def test_base64_is_little_endian_float32_both_ways():
    assert to_base64(VALUES) == "AAAAPwAAgL4AAIA/AAAAPg=="
    assert from_base64(to_base64(VALUES)) == VALUES


def test_the_clients_encoding_whatever_the_upstream_sent():
    assert vector(VALUES, "base64") == to_base64(VALUES)
    assert vector(to_base64(VALUES), "float") == VALUES  # an upstream that answered base64 unasked
    assert vector(to_base64(VALUES), "base64") == to_base64(VALUES)


def test_gemini_batch_to_openai_and_back_in_order():
    body = {"requests": [{"content": {"parts": [{"text": "a"}, {"text": "b"}]}, "outputDimensionality": 4},
                         {"content": {"parts": [{"text": "c"}]}, "outputDimensionality": 4, "taskType": "X"}]}
    assert gemini_to_openai_request(body, upstream_model="up", batch=True) == {
        "model": "up", "input": ["a\nb", "c"], "dimensions": 4}
    answer = {"data": [{"index": 1, "embedding": to_base64(VALUES)}, {"index": 0, "embedding": [1.0]}]}
    assert openai_to_gemini_answer(answer, batch=True) == {"embeddings": [{"values": [1.0]}, {"values": VALUES}]}
    assert openai_to_gemini_answer(answer, batch=False) == {"embedding": {"values": [1.0]}}


@pytest.mark.parametrize("body, batch", [
    ({}, False), ({"content": {"parts": [{"text": ""}]}}, False), ({"requests": []}, True),
    ({"requests": [{"content": {"parts": [{"text": "a"}]}, "outputDimensionality": 2},
                   {"content": {"parts": [{"text": "b"}]}}]}, True),
])
def test_what_cannot_be_said_is_refused(body, batch):
    with pytest.raises(EmbeddingRequestError):
        gemini_to_openai_request(body, upstream_model="up", batch=batch)

"""Gemini's embedContent and batchEmbedContents (the google-genai SDK's
`models.embed_content`) on a channel that speaks openai.embeddings: the
texts reach the upstream's /v1/embeddings as OpenAI input, the vectors come
back in Gemini's shape, billed like /v1/embeddings; errors are Google's."""
from __future__ import annotations

import pytest
import requests
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from tests.fakes.upstream.embeddings_wire import DEFAULT_DIMENSIONS, vector
from tests.support.stack import Stack

CREDITS = 1_000_000
INPUT_PRICE = 3_000_000  # 3 credits per token


@pytest.fixture(scope="module")
def gstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="gemini-embeddings")
    stack.set_model("gemini-embedding-001", input_price=INPUT_PRICE, output_price=0, request_price=0)
    stack.set_model("chat-model", input_price=INPUT_PRICE, output_price=0, request_price=0)
    stack.add_channel("embed", fake_upstream.base_url_v1, ["gemini-embedding-001"],
                      model_map={"gemini-embedding-001": "text-embedding-3-large"}, speaks="openai.embeddings")
    stack.add_channel("chat", fake_upstream.base_url_v1, ["chat-model"])
    yield stack
    stack.stop()


def sdk(stack, key: str) -> genai.Client:
    return genai.Client(api_key=key, http_options=types.HttpOptions(base_url=stack.url, timeout=30_000))


def close(a, b):
    return len(a) == len(b) and all(abs(x - y) < 1e-6 for x, y in zip(a, b))


def charged(stack, account: int, tokens: int):
    (log,) = stack.logs(account)
    assert (log.status, log.door, log.model) == (200, "gemini.embed", "gemini-embedding-001")
    assert (log.prompt_tokens, log.credits, log.estimated) == (tokens, 3 * tokens, False)
    assert stack.balance(account) == CREDITS - 3 * tokens
    assert stack.verify() == []


def test_embed_content_through_the_sdk(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)  # kept: a dropped client closes its connection pool
    answer = client.models.embed_content(
        model="gemini-embedding-001", contents=["red fox", "a blue whale"],
        config=types.EmbedContentConfig(output_dimensionality=4, task_type="RETRIEVAL_DOCUMENT"))
    assert [close(e.values, vector(t, 4)) for e, t in zip(answer.embeddings, ["red fox", "a blue whale"])] == \
        [True, True]
    sent = upstream.last_request()
    assert sent["path"] == "/v1/embeddings"
    assert sent["body"] == {"model": "text-embedding-3-large", "input": ["red fox", "a blue whale"], "dimensions": 4}
    charged(gstack, account, 5)


def test_embed_content_single_with_the_key_in_the_query(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    body = {"content": {"parts": [{"text": "one"}, {"text": "two three"}]}}
    r = requests.post(f"{gstack.url}/v1beta/models/gemini-embedding-001:embedContent?key={key}", json=body,
                      timeout=30)
    assert r.status_code == 200, r.text
    assert close(r.json()["embedding"]["values"], vector("one\ntwo three", DEFAULT_DIMENSIONS))
    charged(gstack, account, 3)


@pytest.mark.parametrize("body", [
    {}, {"content": {"parts": []}}, {"content": {"parts": [{"inlineData": {"data": "AA=="}}]}},
    {"content": {"parts": [{"text": "x"}]}, "outputDimensionality": 0},
], ids=["no-content", "no-parts", "image", "zero-dimensions"])
def test_bad_requests_are_googles_400_and_cost_nothing(gstack, upstream, body):
    key, _, account = gstack.new_key(CREDITS)
    r = requests.post(f"{gstack.url}/v1beta/models/gemini-embedding-001:embedContent", json=body, timeout=30,
                      headers={"x-goog-api-key": key})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT", r.text
    assert upstream.stats()["calls"] == 0 and gstack.balance(account) == CREDITS


def test_a_batch_asks_one_size(gstack, upstream):
    key, _, _ = gstack.new_key(CREDITS)
    body = {"requests": [{"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "a"}]},
                          "outputDimensionality": 4},
                         {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "b"}]}}]}
    r = requests.post(f"{gstack.url}/v1beta/models/gemini-embedding-001:batchEmbedContents", json=body, timeout=30,
                      headers={"x-goog-api-key": key})
    assert r.status_code == 400 and "outputDimensionality" in r.json()["error"]["message"]


def test_a_chat_only_channel_is_never_asked_and_errors_are_googles(gstack, upstream):
    key, _, account = gstack.new_key(CREDITS)
    client = sdk(gstack, key)
    with pytest.raises(genai_errors.APIError) as caught:
        client.models.embed_content(model="chat-model", contents="hello")
    assert caught.value.code == 503 and caught.value.status == "UNAVAILABLE"
    assert upstream.requests() == [] and gstack.balance(account) == CREDITS


def test_too_few_credits_is_permission_denied(gstack, upstream):
    key, _, _ = gstack.new_key(1)
    client = sdk(gstack, key)
    with pytest.raises(genai_errors.ClientError) as caught:
        client.models.embed_content(model="gemini-embedding-001", contents="several words to embed here")
    assert caught.value.code == 403 and caught.value.status == "PERMISSION_DENIED"
    assert upstream.requests() == []

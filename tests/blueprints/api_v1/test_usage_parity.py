"""The same upstream usage costs the same credits through every door.

A table: every door we serve (each streamed and not) against every
upstream dialect, each upstream reporting the same usage in its own words
(cache reads, cache writes, reasoning). Every cell must charge exactly the
same credits and log the same token counts. A new door or upstream dialect
joins the table with one row."""
from __future__ import annotations

import json

import pytest
import requests

from services.relay.tokens import estimate_text_tokens
from tests.blueprints.api_v1.anthropic_stack import CACHED, PRICES
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

# One usage: 10 fresh input tokens, 100 read from the cache, 400 written to
# it, 5 output tokens (3 of them reasoning, where the dialect says so).
# Responses reports cache writes as input_tokens_details.cache_write_tokens
# (a required field of the openai SDK's InputTokensDetails), inside
# input_tokens like the chat row's prompt_tokens. Gemini's usageMetadata
# has no cache-write field at all (explicit caches are made and paid for
# apart, through cachedContents): its row reports the same 510 prompt
# tokens, 100 of them cached, and 2 + 3 thought output tokens, and the 400
# are fresh input, so it has an expected cost of its own (WRITES).
UPSTREAMS = {
    "openai.chat": ("parity-openai", {"prompt_tokens": 510, "cached_tokens": 100, "cache_write_tokens": 400,
                                      "completion_tokens": 5, "reasoning_tokens": 3}),
    "anthropic.messages": ("parity-anthropic", {"input_tokens": 10, "cache_read_input_tokens": 100,
                                                "cache_creation_input_tokens": 400, "output_tokens": 5}),
    "openai.responses": ("parity-responses", {"input_tokens": 510, "cached_tokens": 100, "cache_write_tokens": 400,
                                              "output_tokens": 5, "reasoning_tokens": 3}),
    "gemini": ("parity-gemini", {"promptTokenCount": 510, "cachedContentTokenCount": 100,
                                 "candidatesTokenCount": 2, "thoughtsTokenCount": 3}),
}
SPEAKS = {"openai.chat": None, "anthropic.messages": None, "openai.responses": "openai.responses", "gemini": None}
PROVIDERS = {"anthropic.messages": "anthropic", "gemini": "gemini"}
WRITES = {"gemini": 0}  # the cache writes each row can report (default 400)


def expected(upstream_dialect: str) -> int:
    written = WRITES.get(upstream_dialect, 400)
    return -(-((510 - 100 - written) * PRICES["input_price"] + 100 * CACHED["cache_read_price"]
               + written * CACHED["cache_write_price"] + 5 * PRICES["output_price"]) // 1_000_000)


# Padding makes the prompt bound cover the 510 reported input tokens, so the
# charge is never cut to the hold.
PADDING = "pad " * 1200


def _sse(response: requests.Response) -> list[dict]:
    events = []
    for line in response.iter_lines():
        if line.startswith(b"data: ") and line != b"data: [DONE]":
            events.append(json.loads(line[6:]))
    return events


def chat(stack, key, model, usage, stream):
    body = {"model": model, "max_tokens": 50, "stream": stream,
            "messages": [{"role": "user", "content": PADDING + directive(usage=usage)}]}
    if stream:
        body["stream_options"] = {"include_usage": True}
    r = requests.post(stack.url + "/v1/chat/completions", json=body, stream=stream, timeout=30,
                      headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    if not stream:
        return r.json()["usage"]["credits"]
    return [e for e in _sse(r) if e.get("usage")][-1]["usage"]["credits"]


def messages(stack, key, model, usage, stream):
    body = {"model": model, "max_tokens": 50, "stream": stream,
            "messages": [{"role": "user", "content": PADDING + directive(usage=usage)}]}
    r = requests.post(stack.url + "/v1/messages", json=body, stream=stream, timeout=30,
                      headers={"x-api-key": key, "anthropic-version": "2023-06-01"})
    assert r.status_code == 200, r.text
    if not stream:
        return r.json()["usage"]["credits"]
    return [e for e in _sse(r) if e.get("type") == "message_delta"][-1]["usage"]["credits"]


def responses(stack, key, model, usage, stream):
    body = {"model": model, "max_output_tokens": 50, "stream": stream,
            "input": [{"role": "user", "content": PADDING + directive(usage=usage)}]}
    r = requests.post(stack.url + "/v1/responses", json=body, stream=stream, timeout=30,
                      headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    if not stream:
        return r.json()["usage"]["credits"]
    return [e for e in _sse(r) if e.get("type") == "response.completed"][-1]["response"]["usage"]["credits"]


def gemini(stack, key, model, usage, stream):
    """The Gemini door: the credits ride in usageMetadata. Gemini's usage has
    no cache-write field (the 400 written tokens stay inside
    promptTokenCount), which changes nothing billed: the meter reads the
    upstream's own usage, in its dialect."""
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": PADDING + directive(usage=usage)}]}],
            "generationConfig": {"maxOutputTokens": 50}}
    r = requests.post(f"{stack.url}/v1beta/models/{model}:{action}", json=body, stream=stream, timeout=30,
                      headers={"x-goog-api-key": key})
    assert r.status_code == 200, r.text
    if not stream:
        return r.json()["usageMetadata"]["credits"]
    return [e for e in _sse(r) if e.get("usageMetadata")][-1]["usageMetadata"]["credits"]


def completions(stack, key, model, usage, stream):
    body = {"model": model, "max_tokens": 50, "stream": stream, "prompt": PADDING + directive(usage=usage)}
    if stream:
        body["stream_options"] = {"include_usage": True}
    r = requests.post(stack.url + "/v1/completions", json=body, stream=stream, timeout=30,
                      headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    if not stream:
        return r.json()["usage"]["credits"]
    return [e for e in _sse(r) if e.get("usage")][-1]["usage"]["credits"]


DOORS = {"/v1/chat/completions": chat, "/v1/messages": messages, "/v1/responses": responses,
         "/v1/completions": completions, "/v1beta/models/{model}:generateContent": gemini}


@pytest.fixture(scope="module")
def pstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="usage-parity")
    for dialect, (model, _usage) in UPSTREAMS.items():
        stack.set_model(model, max_output_tokens=1000, **PRICES, **CACHED)
        provider = PROVIDERS.get(dialect, "openai")
        base_url = fake_upstream.url + "/v1beta" if provider == "gemini" else fake_upstream.base_url_v1
        stack.add_channel(model, base_url, [model], provider=provider, speaks=SPEAKS[dialect])
    yield stack
    stack.stop()


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("door", sorted(DOORS))
@pytest.mark.parametrize("upstream_dialect", sorted(UPSTREAMS))
def test_the_same_usage_costs_the_same_through_every_door(pstack, upstream, upstream_dialect, door, stream):
    model, usage = UPSTREAMS[upstream_dialect]
    key, _, account = pstack.new_key(10**9)
    credits = DOORS[door](pstack, key, model, usage, stream)
    cost = expected(upstream_dialect)
    assert credits == cost
    path = {"openai.chat": "/v1/chat/completions", "anthropic.messages": "/v1/messages",
            "openai.responses": "/v1/responses",
            "gemini": f"/v1beta/models/{model}:{'streamGenerateContent' if stream else 'generateContent'}",
            }[upstream_dialect]
    assert upstream.last_request()["path"] == path
    (log,) = pstack.logs(account)
    assert (log.credits, log.prompt_tokens, log.completion_tokens, log.cached_tokens) == (cost, 510, 5, 100)
    assert pstack.balance(account) == 10**9 - cost
    assert pstack.verify() == []


# Embeddings: the same texts through /v1/embeddings and through Gemini's
# embedContent / batchEmbedContents reach one openai.embeddings upstream;
# with its usage (the words of each text) and without (the local
# estimate), every door charges and logs the same.
EMBED_MODEL = "parity-embeddings"
EMBED_TEXTS = ["the first text to embed", "and a second one"]


def embeddings_door(stack, key, texts):
    r = requests.post(stack.url + "/v1/embeddings", json={"model": EMBED_MODEL, "input": texts}, timeout=30,
                      headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return r.json()["usage"]["credits"]


def gemini_embed(stack, key, texts):
    [text] = texts
    r = requests.post(f"{stack.url}/v1beta/models/{EMBED_MODEL}:embedContent", timeout=30,
                      json={"content": {"parts": [{"text": text}]}}, headers={"x-goog-api-key": key})
    assert r.status_code == 200, r.text
    return None  # Gemini's answer has no usage: the log says what was charged


def gemini_batch(stack, key, texts):
    body = {"requests": [{"model": f"models/{EMBED_MODEL}", "content": {"parts": [{"text": t}]}} for t in texts]}
    r = requests.post(f"{stack.url}/v1beta/models/{EMBED_MODEL}:batchEmbedContents", json=body, timeout=30,
                      headers={"x-goog-api-key": key})
    assert r.status_code == 200, r.text
    assert len(r.json()["embeddings"]) == len(texts)
    return None


EMBED_DOORS = {"/v1/embeddings": embeddings_door, "embedContent": gemini_embed, "batchEmbedContents": gemini_batch}


@pytest.fixture(scope="module")
def estack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="usage-parity-embeddings")
    stack.set_model(EMBED_MODEL, **PRICES)
    stack.add_channel(EMBED_MODEL, fake_upstream.base_url_v1, [EMBED_MODEL], speaks="openai.embeddings")
    yield stack
    stack.stop()


@pytest.mark.parametrize("reported", [True, False], ids=["usage", "no-usage"])
@pytest.mark.parametrize("door", sorted(EMBED_DOORS))
def test_the_same_texts_cost_the_same_through_every_embedding_door(estack, upstream, door, reported):
    upstream.configure(usage=reported)
    texts = EMBED_TEXTS[:1] if door == "embedContent" else EMBED_TEXTS
    key, _, account = estack.new_key(10**9)
    credits = EMBED_DOORS[door](estack, key, texts)
    sent = upstream.last_request()
    assert sent["path"] == "/v1/embeddings" and sent["body"]["input"] == texts
    (log,) = estack.logs(account)
    # the fake upstream counts words; without its usage, the local estimate
    tokens = sum(len(t.split()) if reported else estimate_text_tokens(t) for t in texts)
    cost = -(-tokens * PRICES["input_price"] // 1_000_000) + PRICES["request_price"]
    assert (log.credits, log.prompt_tokens, log.completion_tokens, log.estimated) == (cost, tokens, 0, not reported)
    assert credits in (None, cost)
    assert estack.balance(account) == 10**9 - cost
    assert estack.verify() == []

"""POST /v1/embeddings, /v1/moderations and /v1/rerank through the official
openai SDK (requests for rerank, which has no SDK), under gunicorn against
the fake upstream:

- embeddings: a string, strings, token ids, token-id arrays; base64 (the
  SDK's default, written by us from the upstream's floats) and float;
  `dimensions`; billed on the upstream's prompt_tokens, else the estimate;
- moderations: flagged results, billed per request;
- rerank: Jina's shape (tokens + local search units) and Cohere's (its own
  search units);
- a chat-only channel is never sent any of them; bad input is a 400 and
  costs nothing."""
from __future__ import annotations

import base64
import struct

import openai
import pytest
import requests
from openai import OpenAI

from services.relay.tokens import estimate_text_tokens, json_value_tokens
from tests.fakes.upstream.embeddings_wire import DEFAULT_DIMENSIONS, vector
from tests.support.stack import Stack

CREDITS = 10_000_000
INPUT_PRICE = 2_000_000   # 2 credits per token
MOD_REQUEST = 7
UNIT_PRICE = 1000          # per search unit
RERANK_INPUT = 1_000_000   # 1 credit per token


@pytest.fixture(scope="module")
def estack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="embeddings")
    stack.set_model("embed-small", input_price=INPUT_PRICE, output_price=0, request_price=0)
    stack.set_model("chat-only-model", input_price=INPUT_PRICE, output_price=0, request_price=0)
    stack.set_model("omni-moderation-latest", input_price=0, output_price=0, request_price=MOD_REQUEST)
    stack.set_model("rerank-small", input_price=RERANK_INPUT, output_price=0, request_price=0,
                    search_unit_price=UNIT_PRICE)
    stack.add_channel("units", fake_upstream.base_url_v1, ["embed-small", "omni-moderation-latest", "rerank-small"],
                      model_map={"embed-small": "text-embedding-3-small"},
                      speaks="openai.embeddings,openai.moderations,openai.rerank")
    stack.add_channel("chat-only", fake_upstream.base_url_v1, ["chat-only-model"])
    yield stack
    stack.stop()


@pytest.fixture
def keyed(estack):
    raw, _, account = estack.new_key(CREDITS)
    return OpenAI(api_key=raw, base_url=estack.base_url, max_retries=0, timeout=30), raw, account


def charged(stack, account: int, door: str, model: str, credits: int, prompt_tokens: int, estimated=False):
    (log,) = stack.logs(account)
    assert (log.status, log.door, log.model, log.credits) == (200, door, model, credits)
    assert (log.prompt_tokens, log.estimated) == (prompt_tokens, estimated)
    assert stack.balance(account) == CREDITS - credits
    assert stack.verify() == []


def floats32(values):
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


def test_a_string_in_base64_the_sdks_default(estack, upstream, keyed):
    client, _, account = keyed
    answer = client.embeddings.create(model="embed-small", input="the quick brown fox")
    assert answer.model == "embed-small" and len(answer.data) == 1
    assert answer.data[0].embedding == floats32(vector("the quick brown fox", DEFAULT_DIMENSIONS))
    assert answer.usage.prompt_tokens == 4 and answer.usage.model_extra["credits"] == 8
    sent = upstream.last_request()
    assert sent["path"] == "/v1/embeddings" and sent["body"]["model"] == "text-embedding-3-small"
    assert "encoding_format" not in sent["body"]  # floats asked for; base64 written here
    charged(estack, account, "embeddings", "embed-small", 8, 4)


def test_base64_on_the_wire_is_little_endian_float32(estack, upstream, keyed):
    _, raw, _ = keyed
    r = requests.post(estack.url + "/api/v1/embeddings", headers={"Authorization": f"Bearer {raw}"}, timeout=30,
                      json={"model": "embed-small", "input": ["one two"], "encoding_format": "base64"})
    assert r.status_code == 200, r.text
    blob = base64.b64decode(r.json()["data"][0]["embedding"])
    assert list(struct.unpack(f"<{len(blob) // 4}f", blob)) == floats32(vector("one two", DEFAULT_DIMENSIONS))


def test_strings_as_floats_with_dimensions(estack, upstream, keyed):
    client, _, account = keyed
    answer = client.embeddings.create(model="embed-small", input=["alpha beta", "gamma"], encoding_format="float",
                                      dimensions=4)
    assert [d.index for d in answer.data] == [0, 1]
    assert [d.embedding for d in answer.data] == [floats32(vector("alpha beta", 4)), floats32(vector("gamma", 4))]
    assert upstream.last_request()["body"]["dimensions"] == 4
    charged(estack, account, "embeddings", "embed-small", 6, 3)


@pytest.mark.parametrize("tokens, count", [([11, 12, 13], 3), ([[1, 2], [3, 4, 5, 6]], 6)], ids=["int", "int2d"])
def test_token_arrays(estack, upstream, keyed, tokens, count):
    client, _, account = keyed
    answer = client.embeddings.create(model="embed-small", input=tokens)
    assert len(answer.data) == (2 if isinstance(tokens[0], list) else 1)
    assert upstream.last_request()["body"]["input"] == tokens
    charged(estack, account, "embeddings", "embed-small", 2 * count, count)


def test_no_usage_from_the_upstream_bills_the_estimate(estack, upstream, keyed):
    client, _, account = keyed
    upstream.configure(usage=False)
    text = "an answer without any usage at all"
    answer = client.embeddings.create(model="embed-small", input=text)
    estimate = estimate_text_tokens(text)
    assert answer.usage.prompt_tokens == estimate and answer.usage.model_extra["estimated"] is True
    charged(estack, account, "embeddings", "embed-small", 2 * estimate, estimate, estimated=True)


@pytest.mark.parametrize("body", [
    {"input": ""}, {"input": []}, {"input": [[]]}, {"input": [1, "a"]}, {"input": [-1]}, {"input": None},
    {"input": "x", "encoding_format": "int8"}, {"input": "x", "dimensions": 0}, {"input": "x", "api_base": "h"},
], ids=lambda b: repr(b))
def test_bad_input_is_a_400_and_costs_nothing(estack, upstream, keyed, body):
    _, raw, account = keyed
    r = requests.post(estack.url + "/v1/embeddings", json={"model": "embed-small", **body}, timeout=30,
                      headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request", r.text
    assert upstream.stats()["calls"] == 0 and estack.balance(account) == CREDITS
    assert [log.status for log in estack.logs(account)] == [400]


@pytest.mark.parametrize("path, body", [
    ("/embeddings", {"input": "hello"}),
    ("/moderations", {"input": "hello"}),
    ("/rerank", {"query": "q", "documents": ["d"]}),
])
def test_a_chat_only_channel_is_never_sent_another_family(estack, upstream, keyed, path, body):
    client, raw, account = keyed
    r = requests.post(estack.base_url + path, json={"model": "chat-only-model", **body}, timeout=30,
                      headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "provider_not_configured", r.text
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="chat-only-model", input="hello")
    assert upstream.requests() == [] and estack.balance(account) == CREDITS


def test_moderation_is_billed_per_request(estack, upstream, keyed):
    client, _, account = keyed
    answer = client.moderations.create(model="omni-moderation-latest", input=["I will kill it", "a nice day"])
    assert [r.flagged for r in answer.results] == [True, False]
    assert answer.results[0].categories.violence is True and answer.results[0].category_scores.violence > 0.9
    assert answer.model == "omni-moderation-latest"
    tokens = json_value_tokens(["I will kill it", "a nice day"])
    charged(estack, account, "moderations", "omni-moderation-latest", MOD_REQUEST, tokens, estimated=True)


def test_moderation_of_text_and_image_parts_and_the_default_model(estack, upstream, keyed):
    client, _, account = keyed
    parts = [{"type": "text", "text": "look at this"},
             {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]
    answer = client.moderations.create(input=parts)  # the model left out: OpenAI's default
    assert answer.results[0].flagged is False
    assert upstream.last_request()["body"] == {"model": "omni-moderation-latest", "input": parts}
    (log,) = estack.logs(account)
    assert log.credits == MOD_REQUEST and estack.verify() == []


def rerank(stack, raw, body, prefix="/v1"):
    return requests.post(stack.url + prefix + "/rerank", json={"model": "rerank-small", **body}, timeout=30,
                         headers={"Authorization": f"Bearer {raw}"})


def test_rerank_in_jinas_shape_bills_tokens_and_search_units(estack, upstream, keyed):
    _, raw, account = keyed
    documents = ["red apples", {"text": "green pears and red apples"}, "blue sky"]
    r = rerank(estack, raw, {"query": "red apples", "documents": documents, "top_n": 2, "return_documents": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "rerank-small"
    assert [x["index"] for x in body["results"]] in ([0, 1], [1, 0])
    assert body["results"][0]["document"]["text"] in ("red apples", "green pears and red apples")
    tokens = 2 * 3 + (2 + 5 + 2)  # the query with each document, and the documents
    assert body["usage"] == {"total_tokens": tokens}
    charged(estack, account, "rerank", "rerank-small", UNIT_PRICE + tokens, tokens)


def test_rerank_in_cohere_shape_bills_its_search_units(estack, upstream, keyed):
    _, raw, account = keyed
    upstream.configure(rerank_shape="cohere", search_units=1)
    r = rerank(estack, raw, {"query": "word", "documents": [f"doc {n}" for n in range(150)]}, prefix="/api/v1")
    assert r.status_code == 200, r.text
    assert r.json()["meta"]["billed_units"] == {"search_units": 1} and len(r.json()["results"]) == 150
    charged(estack, account, "rerank", "rerank-small", UNIT_PRICE, 0)  # 1 reported, not the 2 we counted


@pytest.mark.parametrize("body", [
    {"query": "", "documents": ["a"]}, {"query": "q", "documents": []}, {"query": "q", "documents": [{"t": 1}]},
    {"query": "q", "documents": ["a"], "top_n": 0}, {"query": "q", "documents": ["a"], "return_documents": "yes"},
], ids=lambda b: repr(b))
def test_bad_rerank_is_a_400_and_costs_nothing(estack, upstream, keyed, body):
    _, raw, account = keyed
    r = rerank(estack, raw, body)
    assert r.status_code == 400, r.text
    assert upstream.stats()["calls"] == 0 and estack.balance(account) == CREDITS

"""Exact credits for the families billed in units, on SQLite and
PostgreSQL: embeddings per input token (reported, else estimated),
moderations per request (and per token where priced), rerank per search
unit (local, or Cohere's reported count) plus Jina's tokens. Each row is a
real request; the hold is never below the charge, a charge never above
the hold, and `ledger verify` is clean."""
from __future__ import annotations

import pytest
import requests

from services.relay.tokens import bound_text_tokens, estimate_text_tokens, json_value_tokens
from tests.support.stack import Stack

CREDITS = 10_000_000
DOCS_50 = [f"document number {n}" for n in range(50)]
DOCS_250 = [f"doc {n}" for n in range(250)]


def ceil(micro: int) -> int:
    return -(-micro // 1_000_000)


def jina_tokens(query: str, docs: list[str]) -> int:
    return len(query.split()) * len(docs) + sum(len(d.split()) for d in docs)


def rerank_bound(query: str, docs: list[str]) -> int:
    return bound_text_tokens(query) * len(docs) + sum(bound_text_tokens(d) for d in docs)


# (name, path, body, fake upstream config, credits, logged prompt tokens, estimated)
ROWS = [
    ("embeddings-usage", "/v1/embeddings", {"model": "m-embed", "input": ["a b c", "d e"]}, {},
     ceil(5 * 2_000_000), 5, False),
    ("embeddings-tokens", "/v1/embeddings", {"model": "m-embed", "input": [[1, 2, 3], [4]]}, {},
     ceil(4 * 2_000_000), 4, False),
    ("embeddings-estimate", "/v1/embeddings", {"model": "m-embed", "input": "no usage comes back here"},
     {"usage": False}, ceil(estimate_text_tokens("no usage comes back here") * 2_000_000),
     estimate_text_tokens("no usage comes back here"), True),
    ("embeddings-cheap", "/v1/embeddings", {"model": "m-embed-cheap", "input": "one two three"}, {},
     ceil(3 * 100_000) + 1, 3, False),  # 0.3 credits rounds up to 1, plus the request price
    ("moderation-request", "/v1/moderations", {"model": "m-mod", "input": "a calm sentence"}, {},
     9, json_value_tokens("a calm sentence"), True),
    ("moderation-tokens", "/v1/moderations", {"model": "m-mod-tokens", "input": ["first text", "second"]}, {},
     ceil(json_value_tokens(["first text", "second"]) * 1_000_000) + 2,
     json_value_tokens(["first text", "second"]), True),
    ("moderation-free", "/v1/moderations", {"model": "m-mod-free", "input": "hello"}, {},
     0, json_value_tokens("hello"), True),
    ("rerank-jina", "/v1/rerank", {"model": "m-rerank", "query": "find this", "documents": DOCS_50}, {},
     1000 + jina_tokens("find this", DOCS_50), jina_tokens("find this", DOCS_50), False),
    ("rerank-jina-3-units", "/v1/rerank", {"model": "m-rerank", "query": "q", "documents": DOCS_250}, {},
     3 * 1000 + jina_tokens("q", DOCS_250), jina_tokens("q", DOCS_250), False),
    ("rerank-units-only", "/v1/rerank", {"model": "m-rerank-units", "query": "q", "documents": DOCS_250}, {},
     3 * 500, jina_tokens("q", DOCS_250), False),
    ("rerank-no-usage", "/v1/rerank", {"model": "m-rerank-units", "query": "q", "documents": DOCS_50},
     {"usage": False}, 500, estimate_text_tokens("q") * 50 + sum(estimate_text_tokens(d) for d in DOCS_50), True),
    ("rerank-cohere", "/v1/rerank", {"model": "m-rerank-units", "query": "q", "documents": DOCS_250},
     {"rerank_shape": "cohere", "search_units": 2}, 2 * 500, 0, False),
    # Cohere may count more units than we did (long documents are split):
    # the charge stops at the hold, the worst case we knew of.
    ("rerank-cohere-capped", "/v1/rerank", {"model": "m-rerank", "query": "q", "documents": DOCS_50},
     {"rerank_shape": "cohere", "search_units": 40}, 1000 + rerank_bound("q", DOCS_50), 0, False),
]


@pytest.fixture(scope="module")
def ustack(databases, fake_upstream):
    stack = Stack(databases.new(), name=f"unit-money-{databases.kind}")
    models = {
        "m-embed": {"input_price": 2_000_000},
        "m-embed-cheap": {"input_price": 100_000, "request_price": 1},
        "m-mod": {"request_price": 9},
        "m-mod-tokens": {"input_price": 1_000_000, "request_price": 2},
        "m-mod-free": {},
        "m-rerank": {"input_price": 1_000_000, "search_unit_price": 1000},
        "m-rerank-units": {"search_unit_price": 500},
    }
    for model, prices in models.items():
        stack.set_model(model, **{"input_price": 0, "output_price": 0, "request_price": 0, **prices})
    stack.add_channel("units", fake_upstream.base_url_v1, list(models),
                      speaks="openai.embeddings,openai.moderations,openai.rerank")
    yield stack
    stack.stop()


@pytest.mark.parametrize("name, path, body, config, credits, tokens, estimated", ROWS, ids=[r[0] for r in ROWS])
def test_exact_credits(ustack, upstream, name, path, body, config, credits, tokens, estimated):
    if config:
        upstream.configure(**config)
    raw, _, account = ustack.new_key(CREDITS)
    r = requests.post(ustack.url + path, json=body, headers={"Authorization": f"Bearer {raw}"}, timeout=30)
    assert r.status_code == 200, r.text
    (log,) = ustack.logs(account)
    assert (log.status, log.credits, log.prompt_tokens, log.estimated) == (200, credits, tokens, estimated)
    kinds = [(e.kind, e.amount) for e in ustack.entries(account)]
    hold = -kinds[1][1]
    assert kinds[:3] == [("adjust", CREDITS), ("reserve", -hold), ("release", hold)]
    assert hold >= credits
    assert ustack.balance(account) == CREDITS - credits
    assert ustack.verify() == []


def test_a_short_balance_is_refused_before_the_upstream(ustack, upstream):
    raw, _, account = ustack.new_key(999)
    r = requests.post(ustack.url + "/v1/rerank", headers={"Authorization": f"Bearer {raw}"}, timeout=30,
                      json={"model": "m-rerank-units", "query": "q", "documents": DOCS_250})
    assert r.status_code == 402 and "1500 credits" in r.json()["error"]["message"], r.text
    assert upstream.stats()["calls"] == 0 and ustack.balance(account) == 999

"""After a run of failures and errors, no full key (the clients' or the
upstream's) appears in any log line, request-log row or error body."""
from __future__ import annotations

import anthropic
import openai
import pytest
import requests
from sqlalchemy import select

from extensions import db
from models import LedgerEntry, RequestLog
from tests.blueprints.api_v1.resilience_support import chat, dead_url, new_route
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

UPSTREAM_KEY = "sk-upstream-LEAKCHECK-9f8e7d6c5b4a39281706"


@pytest.fixture(scope="module")
def leaky(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="leaks", env={"BREAKER_ENABLED": "1"})
    yield stack
    stack.stop()


def test_no_key_leaks_anywhere(leaky, upstream):
    model = new_route(leaky, [])
    leaky.add_channel("leaky-main", upstream.base_url_v1, [model], api_key=UPSTREAM_KEY, priority=5)
    leaky.add_channel("leaky-dead", dead_url(), [model], api_key=UPSTREAM_KEY, priority=9)
    client_key, _, _ = leaky.new_key(10**12)
    almost = client_key[:-1] + ("A" if client_key[-1] != "A" else "B")
    bodies = []

    echo_key = f"Incorrect API key provided: {UPSTREAM_KEY}. Authorization: Bearer {UPSTREAM_KEY}"
    for text in (directive(status=500, error_message=echo_key), directive(status=429, error_message=echo_key),
                 directive(status=400, error_message=echo_key), directive(die_after=1, reply="a b c")):
        bodies.append(chat(leaky, client_key, model, text, stream="die_after" in text).text)
    bodies.append(chat(leaky, almost, model).text)  # a near-miss key
    bodies.append(requests.get(leaky.url + "/v1/models", headers={"x-api-key": almost}, timeout=10).text)
    for sdk_call in (
        lambda: openai.OpenAI(api_key=almost, base_url=leaky.base_url, max_retries=0).models.list(),
        lambda: anthropic.Anthropic(api_key=almost, base_url=leaky.url, max_retries=0).messages.create(
            model=model, max_tokens=5, messages=[{"role": "user", "content": "x"}]),
    ):
        with pytest.raises(Exception) as caught:
            sdk_call()
        bodies.append(str(caught.value))
    upstream.configure(status=401, error_message=echo_key)
    bodies.append(chat(leaky, client_key, model).text)  # the channel's key is refused: channel disabled
    upstream.reset()

    secrets = [UPSTREAM_KEY, client_key, almost, client_key[3:], UPSTREAM_KEY[3:]]
    log_text = leaky.server.log_text()
    with leaky.app.app_context():
        rows = [str(tuple(r)) for r in db.session.execute(select(RequestLog.__table__)).all()]
        rows += [str(tuple(r)) for r in db.session.execute(select(LedgerEntry.__table__)).all()]
    assert len(rows) > 5 and bodies
    for secret in secrets:
        assert secret not in log_text
        assert not [b for b in bodies if secret in b]
        assert not [r for r in rows if secret in r]

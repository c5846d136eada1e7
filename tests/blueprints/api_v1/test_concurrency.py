"""200 concurrent requests on a key whose balance covers 10: at most 10 reach
the upstream, no balance goes negative, and the ledger verifies. On SQLite
(2 workers) and PostgreSQL (4 workers)."""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fakes.upstream_client import directive
from tests.support.servers import REPO
from tests.support.stack import SECRET_KEY, Stack

pytestmark = pytest.mark.slow
FLAT = 1000  # credits per request, no token prices: the hold equals the cost


@pytest.fixture(scope="module")
def crowd(databases, fake_upstream):
    workers = 4 if databases.kind == "postgres" else 2
    stack = Stack(databases.new(), workers=workers, name=f"crowd-{databases.kind}")
    stack.set_model("flat-model", max_output_tokens=100, input_price=0, output_price=0, request_price=FLAT)
    stack.add_channel("fake", fake_upstream.base_url_v1, ["flat-model"])
    yield stack
    stack.stop()


def test_two_hundred_concurrent_requests_on_a_balance_for_ten(crowd, upstream):
    raw, _, account = crowd.new_key(10 * FLAT, rpm=10_000)
    # A short pause upstream keeps the first requests in flight while the rest arrive.
    body = {"model": "flat-model", "messages": [{"role": "user", "content": directive(first_byte_delay=0.3)}]}

    def one(_):
        session = requests.Session()
        return session.post(crowd.url + "/v1/chat/completions", json=body, timeout=60,
                            headers={"Authorization": f"Bearer {raw}"}).status_code

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200)))

    assert statuses.count(200) == 10
    assert statuses.count(402) == 190
    assert upstream.stats()["calls"] == 10
    assert crowd.balance(account) == 0
    assert crowd.verify() == []
    # And the operator's command agrees.
    env = {"TOLLGATE_ENV": "testing", "DATABASE_URL": crowd.db_url, "SECRET_KEY": SECRET_KEY}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "ledger", "verify"],
                            cwd=REPO, env={**__import__("os").environ, **env}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

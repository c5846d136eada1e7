"""Tollgate under gunicorn + gevent, with channels pointing at the fake
upstream process. One server per test module; each test makes its own keys."""
from __future__ import annotations

import pytest

from tests.support.stack import Stack

# Prices (credits per 1M tokens) chosen so every token has an exact integer cost.
PRICED = {"input_price": 2_000_000, "output_price": 5_000_000, "request_price": 3}


def seed(stack: Stack, upstream_v1: str) -> None:
    stack.set_model("fake-model", display_name="Fake Model", category="chat",
                    capabilities=["chat", "tools"], context_window=32000, max_output_tokens=1000, **PRICED)
    stack.set_model("client-name", display_name="Mapped", max_output_tokens=1000, **PRICED)
    stack.set_model("flat-model", max_output_tokens=100, input_price=0, output_price=0, request_price=1000)
    stack.set_model("hidden-model", public=False, max_output_tokens=100, **PRICED)
    stack.set_model("orphan-model", max_output_tokens=100, **PRICED)  # no channel serves it
    stack.add_channel("fake", upstream_v1, ["fake-model", "client-name", "flat-model", "hidden-model"],
                      model_map={"client-name": "upstream-name"})


@pytest.fixture(scope="module")
def stack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new())
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()

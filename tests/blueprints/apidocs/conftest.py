"""One Tollgate under gunicorn for the API-description tests: the fake
upstream behind the usual test models, development payments, throttles out
of the way (the fuzzer sends many requests from one key and one address),
a key with credits and a signed-in dashboard user."""
from __future__ import annotations

import pytest

from blueprints.apidocs.spec import spec
from tests.blueprints.api_v1.audio_stack import seed as seed_audio
from tests.blueprints.api_v1.conftest import seed
from tests.blueprints.dashboard.conftest import GENEROUS, PASSWORD, new_email
from tests.support.stack import Stack
from tests.support.web import WebUser

OPEN = {**GENEROUS, "DEFAULT_KEY_RPM": "1000000", "UNAUTHENTICATED_RPM": "1000000",
        "STOREFRONT_LOOKUP_RPM": "1000000", "PAYMENT_PROVIDER": "dev", "PAYMENT_QUERY_INTERVAL": "0",
        "TASK_POLL_SECONDS": "0.3"}
MODEL = "fake-model"
UNITS_MODEL = "fake-units"  # on a channel speaking embeddings, moderations and rerank
CREDITS = 10**15


class ApiStack(Stack):
    def signed_in(self) -> WebUser:
        web = WebUser(self.url)
        reply = web.register(new_email("apidocs"), PASSWORD)
        assert reply.status_code == 200 and reply.url.endswith("/dashboard/"), reply.text[:300]
        web.get("/dashboard/")  # the page's CSRF token
        return web


@pytest.fixture(scope="module")
def live(sqlite_databases, fake_upstream):
    stack = ApiStack(sqlite_databases.new(), env=OPEN, name="apidocs")
    seed(stack, fake_upstream.base_url_v1)
    seed_audio(stack, fake_upstream.base_url_v1)
    # The fuzzer's image requests name MODEL too: a channel serves its images.
    stack.add_channel("images-for-fuzzing", fake_upstream.base_url_v1, [MODEL], speaks="openai.images")
    stack.add_channel("videos-for-fuzzing", fake_upstream.base_url_v1, [MODEL], speaks="openai.videos")
    stack.set_model(UNITS_MODEL, input_price=1_000_000, output_price=0, request_price=1, search_unit_price=10)
    stack.add_channel("units", fake_upstream.base_url_v1, [UNITS_MODEL],
                      speaks="openai.embeddings,openai.moderations,openai.rerank")
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def api_key(live) -> str:
    raw, _key_id, _account_id = live.new_key(CREDITS, name="openapi")
    return raw


@pytest.fixture(scope="session")
def document() -> dict:
    return spec()


def operations(document: dict):
    """(path, method, operation) for every documented operation."""
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op

"""Tollgate under gunicorn taking payments through the real Alipay SDK from
a fake Alipay gateway (tests/fakes/fake_alipay.py) on a random port. The
server also listens on a port chosen here first, so the notify URL it gives
Alipay is known before it starts; the fake posts its notifies there."""
from __future__ import annotations

import re
import tempfile
import time

import pytest
import requests

from tests.blueprints.api_v1.conftest import seed
from tests.fakes.fake_alipay import FakeAlipay
from tests.support.servers import GunicornServer, free_port
from tests.support.stack import Stack, make_app, migrate, server_env


class StoreStack(Stack):
    def __init__(self, db_url: str, fake: FakeAlipay | None, *, workers: int = 2, name: str = "store"):
        self.db_url = db_url
        self.app = make_app(db_url)
        migrate(self.app)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.base_url = self.url + "/v1"
        self.instance_dir = tempfile.mkdtemp(prefix="tollgate-instance-")
        env = server_env(db_url, self.instance_dir, SITE_URL=self.url, PAYMENT_QUERY_INTERVAL="0",
                         STOREFRONT_LOOKUP_RPM="100000")
        if fake is not None:
            env.update(fake.settings(self.url + "/pay/alipay/notify"), PAYMENT_PROVIDER="alipay")
        else:
            env["PAYMENT_PROVIDER"] = "dev"
        self.server = GunicornServer(env, workers=workers, name=name,
                                     extra_args=("--bind", f"127.0.0.1:{port}"))

    def log_count(self, text: str, wait: float = 2.0) -> int:
        """Occurrences of `text` in the server's log (waiting briefly for it)."""
        deadline = time.monotonic() + wait
        while True:
            count = self.server.log_text().count(text)
            if count or time.monotonic() > deadline:
                return count
            time.sleep(0.05)


@pytest.fixture(scope="module")
def fake():
    fake = FakeAlipay().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def store(databases, fake, fake_upstream):
    stack = StoreStack(databases.new(), fake)
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def api(stack, path: str, body: dict) -> requests.Response:
    return requests.post(stack.url + "/api" + path, json=body, timeout=30)

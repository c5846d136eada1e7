"""Fixtures: a fake Alipay gateway and a merchant notify endpoint, both on
127.0.0.1:<random port>, so the provider's port drop-in is always exercised."""
from __future__ import annotations

import pytest
from flask import Flask, request

from services.store.payments import AlipayProvider
from tests.fakes.fake_alipay import FakeAlipay, ServerThread


class NotifySink:
    """The merchant's notify route, reduced to what a provider decides:
    verified -> ack, otherwise nack. ``provider`` is set after the URL is known."""

    def __init__(self):
        self.provider = None
        self.events = []
        app = Flask("notify_sink")

        @app.post("/pay/alipay/notify")
        def notify():
            event = self.provider.parse_notify(request.form)
            self.events.append(event)
            return self.provider.ack if event else self.provider.nack

        self._server = ServerThread(app)
        self.url = self._server.url + "/pay/alipay/notify"

    def stop(self):
        self._server.stop()


@pytest.fixture(scope="module")
def fake():
    fake = FakeAlipay().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def sink():
    sink = NotifySink()
    yield sink
    sink.stop()


@pytest.fixture(params=["pem", "bare"])
def provider(request, fake, sink):
    """The real SDK-backed provider, keys as PEM or as bare base64 bodies."""
    provider = AlipayProvider(fake.settings(sink.url, bare=request.param == "bare"))
    sink.provider = provider
    sink.events.clear()
    return provider


_counter = iter(range(1, 10**9))


@pytest.fixture
def order_no(request):
    return f"T{next(_counter):06d}"

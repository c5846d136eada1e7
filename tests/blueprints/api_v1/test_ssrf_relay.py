"""The SSRF guard at work in a running Tollgate: saving a channel, and every
connection (a channel row that skipped the save check, a redirect)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import insert

from extensions import db
from models import Channel
from services.catalog.channels import ChannelError, add_channel
from tests.blueprints.api_v1.resilience_support import chat
from tests.support.stack import Stack, make_app


class Recorder(BaseHTTPRequestHandler):
    hits: list = []
    location = ""

    def do_POST(self):  # noqa: N802
        Recorder.hits.append((self.server.server_address[0], self.path))
        self.send_response(302 if self.location else 200)
        if self.location:
            self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(host: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def strict(sqlite_databases):
    """A Tollgate that allow-lists only 127.0.0.1 (not the rest of 127/8)."""
    stack = Stack(sqlite_databases.new(), name="ssrf", env={"UPSTREAM_ALLOWED_NETWORKS": "127.0.0.1/32"})
    yield stack
    stack.stop()


@pytest.mark.parametrize("url", ["http://127.0.0.2:1/v1", "http://169.254.169.254/v1", "http://[::1]:1/v1",
                                 "http://2130706433/v1", "file:///etc/passwd"])
def test_saving_a_channel_to_an_internal_address_is_refused(sqlite_databases, url):
    app = make_app(sqlite_databases.new(), UPSTREAM_ALLOWED_NETWORKS="")
    with app.app_context():
        db.create_all()
        with pytest.raises(ChannelError):
            add_channel("bad", "openai", url, "k", ["m"])


def test_a_channel_row_that_skipped_the_check_is_still_blocked_at_connect(strict, fake_upstream):
    recorder = serve("127.0.0.2")
    try:
        strict.set_model("sneaky", max_output_tokens=10, input_price=1, output_price=1)
        with strict.app.app_context():
            db.session.execute(insert(Channel).values(
                name="sneaky", provider="openai", base_url=f"http://127.0.0.2:{recorder.server_port}/v1",
                models=["sneaky"], model_map={}, enabled=True, priority=0, weight=1))
            db.session.commit()
        key, _, _ = strict.new_key(10**9)
        Recorder.hits.clear()
        response = chat(strict, key, "sneaky")
        assert response.status_code == 502 and response.json()["error"]["code"] == "provider_error"
        assert Recorder.hits == []
    finally:
        recorder.shutdown()


def test_redirects_are_never_followed(strict):
    target = serve("127.0.0.2")
    bouncer = serve("127.0.0.1")
    try:
        Recorder.location = f"http://127.0.0.2:{target.server_port}/v1/chat/completions"
        Recorder.hits.clear()
        strict.set_model("bouncy", max_output_tokens=10, input_price=1, output_price=1)
        strict.add_channel("bouncy", f"http://127.0.0.1:{bouncer.server_port}/v1", ["bouncy"])
        key, _, _ = strict.new_key(10**9)
        response = chat(strict, key, "bouncy")
        assert response.status_code == 502
        assert [host for host, _ in Recorder.hits] == ["127.0.0.1"]  # the redirect target was never asked
    finally:
        Recorder.location = ""
        target.shutdown()
        bouncer.shutdown()

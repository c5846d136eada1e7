"""Health checks book their outcome on the channel and its breaker; upstream
balances are read where the provider has an endpoint."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extensions import db
from models import Channel
from services.catalog.channels import add_channel
from services.catalog.models import set_model
from services.catalog.snapshot import ChannelInfo, load_catalog
from services.relay import health
from services.relay.breaker import breaker_key
from services.relay.shared_state import breakers
from tests.blueprints.api_v1.resilience_support import dead_url
from tests.fakes.upstream_client import directive
from tests.support.stack import make_app, migrate


@pytest.fixture
def app(sqlite_databases):
    app = make_app(sqlite_databases.new(), BREAKER_ENABLED=True, BREAKER_FAILURES=2)
    migrate(app)
    with app.app_context():
        yield app


def test_a_healthy_channel_is_recorded_with_latency(app, upstream):
    set_model("m", input_price=1, output_price=1)
    channel_id = add_channel("good", "openai", upstream.base_url_v1, "k", ["m"]).id
    [result] = health.check_all()
    assert result.ok and result.latency_ms >= 0 and result.model == "m"
    assert upstream.last_request()["body"]["max_tokens"] == 1
    row = db.session.get(Channel, channel_id)
    db.session.refresh(row)
    assert row.check_ok is True and row.checked_at is not None and row.check_error is None


def test_failures_count_against_the_breaker_and_a_success_closes_it(app, upstream):
    set_model("m", input_price=1, output_price=1)
    add_channel("flaky", "openai", upstream.base_url_v1, "k", ["m"])
    upstream.configure(status=503)
    channel = load_catalog().channels_for("m")[0]
    key = breaker_key(channel.id, "m")
    assert not health.check_channel(channel).ok
    assert not health.check_channel(channel).ok
    assert breakers().state(key)["state"] == "open"
    upstream.reset()
    assert health.check_channel(channel).ok
    assert breakers().state(key)["state"] == "closed"


def test_a_refused_key_takes_the_channel_out_of_service(app, upstream):
    set_model("m", input_price=1, output_price=1)
    channel_id = add_channel("badkey", "openai", upstream.base_url_v1, "k", ["m"]).id
    upstream.configure(status=401, error_message="Incorrect API key provided: sk-abc")
    [result] = health.check_all()
    assert not result.ok and "401" in result.detail and "sk-abc" not in result.detail
    row = db.session.get(Channel, channel_id)
    db.session.refresh(row)
    assert row.enabled is False and "refused" in row.disabled_reason


def test_a_gemini_channel_is_checked_through_chat_and_a_key_gemini_calls_invalid_is_a_refused_key(app, upstream):
    set_model("g", input_price=1, output_price=1)
    channel_id = add_channel("gem", "gemini", upstream.url + "/v1beta", "AIza-good", ["g"],
                             {"g": "gemini-2.5-flash"}).id
    upstream.configure(require_key="AIza-good")
    [result] = health.check_all()
    assert result.ok and result.detail.startswith("Hello")
    last = upstream.last_request()
    assert last["path"] == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert last["body"]["generationConfig"]["maxOutputTokens"] == 1
    upstream.configure(require_key="AIza-other")  # Gemini says 400 "API key not valid"
    [result] = health.check_all()
    assert not result.ok
    row = db.session.get(Channel, channel_id)
    db.session.refresh(row)
    assert row.enabled is False and "refused" in row.disabled_reason


def test_an_unreachable_channel_fails_its_check(app):
    set_model("m", input_price=1, output_price=1)
    add_channel("dead", "openai", dead_url(), "k", ["m"])
    [result] = health.check_all()
    assert not result.ok and "could not be reached" in result.detail


class BalanceHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        bodies = {"/user/balance": {"is_available": True, "balance_infos": [
                      {"currency": "CNY", "total_balance": "110.00"}]},
                  "/api/v1/credits": {"data": {"total_credits": 20, "total_usage": 5.3}}}
        body = json.dumps(bodies.get(self.path, {})).encode()
        self.send_response(200 if self.path in bodies and self.headers["Authorization"] == "Bearer k" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@dataclass(frozen=True)
class FlavoredChannel(ChannelInfo):
    as_flavor: str = "openai"

    @property
    def flavor(self) -> str:
        return self.as_flavor


@pytest.mark.parametrize("flavor, path, expected", [("deepseek", "/v1", "CNY 110.00"),
                                                    ("openrouter", "/api/v1", "USD 14.70"),
                                                    ("openai", "/v1", None)])
def test_upstream_balances(app, flavor, path, expected):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BalanceHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = load_catalog  # noqa: F841  (app context for the policy below)
        from services.catalog.snapshot import channel_timeouts, upstream_policy

        row = type("Row", (), {"connect_timeout": None, "first_byte_timeout": None, "idle_timeout": None})
        channel = FlavoredChannel(1, "c", "openai", f"http://127.0.0.1:{server.server_port}{path}", "k", ("m",), {},
                                  0, 1, channel_timeouts(row, upstream_policy()), as_flavor=flavor)
        assert health.query_balance(channel) == expected
    finally:
        server.shutdown()


def test_channel_overview_shows_state_error_rate_and_latency(app, upstream):
    from services.billing.ledger import write_log
    from services.reports.channels import channel_overview

    set_model("m", input_price=1, output_price=1)
    channel = add_channel("seen", "openai", upstream.base_url_v1, "k", ["m"])
    for i, (status, latency) in enumerate([(200, 100), (200, 300), (502, 50), (200, 200)]):
        write_log({"request_id": f"r{i}", "account_id": 1, "key_id": 1, "door": "openai", "model": "m",
                   "channel_id": channel.id, "status": status, "latency_ms": latency})
    upstream.configure(status=503)
    health.check_all()
    health.check_all()  # BREAKER_FAILURES=2 here: now open
    [row] = channel_overview()
    assert row["requests"] == 4 and row["error_rate"] == 0.25 and row["latency_ms"] == 162
    assert row["breakers"]["m"]["state"] == "open"
    assert row["check_ok"] is False

"""The Realtime API through a real Tollgate (gunicorn + gevent) to the fake
realtime upstream (tests/fakes/fake_realtime.py, its own process), driven
with the `websockets` client, on SQLite and PostgreSQL: frames relayed both
ways as they came; each response.done billed exactly, one hold per
response; the session cut with an insufficient_credits error event when
the next hold cannot be taken; settled when the client hangs up
mid-response (the cancelled response's usage) or the upstream does (an
estimate); keys in the browser subprotocol; refusals before the upgrade."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from services.relay.tokens import estimate_text_tokens
from tests.support.servers import REPO, die_with_parent
from tests.support.stack import Stack

MODEL, UPSTREAM_NAME = "rt-model", "gpt-realtime-upstream"
# 1 credit per input token, 2 per output token, 0.5 per cached token.
PRICES = {"input_price": 1_000_000, "output_price": 2_000_000, "cache_read_price": 500_000, "request_price": 0}
HOLD = 1000 * 1 + 500 * 2  # context window 1000 at the input price + max output 500 at the output price
CHANNEL_KEY = "sk-upstream-secret-0123456789"


@pytest.fixture(scope="module")
def fake_rt():
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.fake_realtime"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent())
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    url = f"http://127.0.0.1:{int(line.split()[1])}"
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def sessions_seen(fake_url: str) -> int:
    return requests.get(fake_url + "/_stats", timeout=5).json()["sessions"]


@pytest.fixture(scope="module")
def stack(databases, fake_rt):
    s = Stack(databases.new(), name=f"realtime-{databases.kind}")
    s.set_model(MODEL, context_window=1000, max_output_tokens=500, **PRICES)
    s.set_model("chat-only-model", **PRICES)
    s.add_channel("rt", fake_rt + "/v1", [MODEL], model_map={MODEL: UPSTREAM_NAME}, speaks="openai.realtime")
    # Points at the realtime fake too: were it ever asked for a session, the fake would count it.
    s.add_channel("chat-only", fake_rt + "/v1", ["chat-only-model"])
    s.set_model("rt-refused", context_window=1000, max_output_tokens=500, **PRICES)
    s.add_channel("refused", fake_rt + "/v1", ["rt-refused"], api_key="sk-refused", speaks="openai.realtime")
    yield s
    s.stop()


def ws_url(stack, model=MODEL, prefix="/v1") -> str:
    return stack.url.replace("http://", "ws://") + f"{prefix}/realtime?model={model}"


def open_ws(stack, key, **kw):
    headers = {"Authorization": f"Bearer {key}"} if key else None
    return connect(kw.pop("url", None) or ws_url(stack), additional_headers=headers, proxy=None,
                   open_timeout=10, **kw)


def recv(ws, timeout=10):
    message = ws.recv(timeout=timeout)
    return json.loads(message) if isinstance(message, str) else message


def until(ws, kind: str) -> list:
    events = []
    while True:
        event = recv(ws)
        events.append(event)
        if isinstance(event, dict) and event.get("type") == kind:
            return events


def usage(inp, out, cached=0):
    return {"total_tokens": inp + out, "input_tokens": inp, "output_tokens": out,
            "input_token_details": {"cached_tokens": cached, "text_tokens": inp, "audio_tokens": 0},
            "output_token_details": {"text_tokens": out, "audio_tokens": 0}}


def cost(inp, out, cached=0):
    micro = (inp - cached) * 1_000_000 + cached * 500_000 + out * 2_000_000
    return -(-micro // 1_000_000)


def settled(stack, account_id, expected_balance, timeout=15.0):
    """Wait for the session's finally (after the client hung up), then check
    the balance and that every hold was released."""
    deadline = time.monotonic() + timeout
    while True:
        entries = stack.entries(account_id)
        reserves = {e.ref for e in entries if e.kind == "reserve"}
        releases = {e.ref for e in entries if e.kind == "release"}
        if reserves == releases and stack.balance(account_id) == expected_balance:
            break
        assert time.monotonic() < deadline, (stack.balance(account_id), expected_balance,
                                             [(e.kind, e.amount, e.ref) for e in entries])
        time.sleep(0.05)
    assert stack.verify() == []
    return entries


def test_frames_relayed_both_ways_and_each_response_billed_exactly(stack):
    key, _key_id, account = stack.new_key(100_000)
    with open_ws(stack, key) as ws:
        created = recv(ws)
        assert created["type"] == "session.created"
        assert created["session"]["model"] == UPSTREAM_NAME  # the channel's name for the model
        assert created["session"]["x_fake"]["authorization"] == f"Bearer {CHANNEL_KEY}"
        assert created["session"]["x_fake"]["path"] == f"/v1/realtime?model={UPSTREAM_NAME}"
        ws.send(json.dumps({"type": "session.update", "session": {"instructions": "be brief", "x": [1, 2]}}))
        assert recv(ws) == {"type": "session.updated", "session": {"instructions": "be brief", "x": [1, 2]}}
        ws.send(json.dumps({"type": "input_audio_buffer.append", "event_id": "e1",
                            "audio": base64.b64encode(bytes(100)).decode()}))
        assert recv(ws) == {"type": "x_fake.audio_ack", "event_id": "e1", "bytes": 100}
        ws.send(b"\x00\x01binary\xff")
        assert recv(ws) == b"\x00\x01binary\xff"  # binary frames pass as binary
        ws.send(json.dumps({"type": "response.create", "x_fake": {"deltas": 4, "text": "yo",
                                                                   "usage": usage(120, 40)}}))
        events = until(ws, "response.done")
        assert [e["type"] for e in events] == ["response.created"] + ["response.output_text.delta"] * 4 + \
            ["response.done"]
        assert events[-1]["response"]["usage"] == usage(120, 40)  # passed through untouched
        # The response is charged when its response.done reaches the client.
        assert stack.balance(account) == 100_000 - cost(120, 40) - HOLD
        ws.send(json.dumps({"type": "response.create", "x_fake": {"beta": True, "usage": usage(300, 10, 200)}}))
        events = until(ws, "response.done")
        assert events[1]["type"] == "response.text.delta"  # beta names pass as they are
    expected = 100_000 - cost(120, 40) - cost(300, 10, 200)
    entries = settled(stack, account, expected)
    # One hold per response, settled at its response.done; the last one, unused, settled at zero.
    moves = [(e.kind, e.amount) for e in entries if e.kind in ("reserve", "release", "charge")]
    assert moves == [("reserve", -HOLD), ("release", HOLD), ("charge", -cost(120, 40)),
                     ("reserve", -HOLD), ("release", HOLD), ("charge", -cost(300, 10, 200)),
                     ("reserve", -HOLD), ("release", HOLD)]
    logs = stack.logs(account)
    assert [(r.door, r.model, r.upstream_model, r.prompt_tokens, r.completion_tokens, r.cached_tokens,
             r.credits, r.estimated, r.status) for r in logs] == [
        ("realtime", MODEL, UPSTREAM_NAME, 120, 40, 0, cost(120, 40), False, 200),
        ("realtime", MODEL, UPSTREAM_NAME, 300, 10, 200, cost(300, 10, 200), False, 200)]


def test_the_session_is_cut_with_an_error_event_when_credits_run_out(stack):
    key, _key_id, account = stack.new_key(HOLD + 500)
    with open_ws(stack, key) as ws:
        recv(ws)
        ws.send(json.dumps({"type": "response.create", "x_fake": {"usage": usage(600, 100)}}))
        until(ws, "response.done")
        error = recv(ws)
        assert error == {"type": "error", "error": {
            "type": "insufficient_credits", "code": "insufficient_credits",
            "message": f"Insufficient credits: the next response needs up to {HOLD} credits, "
                       f"and the balance is {HOLD + 500 - cost(600, 100)}."}}
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1008
    settled(stack, account, HOLD + 500 - cost(600, 100))
    assert [r.credits for r in stack.logs(account)] == [cost(600, 100)]


def test_no_credits_for_the_first_response_is_refused_before_the_upgrade(stack, fake_rt):
    key, _key_id, account = stack.new_key(HOLD - 1)
    before = sessions_seen(fake_rt)
    with pytest.raises(InvalidStatus) as refused:
        open_ws(stack, key)
    assert refused.value.response.status_code == 402
    assert json.loads(refused.value.response.body)["error"]["code"] == "insufficient_credits"
    assert sessions_seen(fake_rt) == before and stack.balance(account) == HOLD - 1 and stack.verify() == []


def test_a_client_that_hangs_up_mid_response_is_billed_the_cancelled_response(stack):
    key, _key_id, account = stack.new_key(100_000)
    ws = open_ws(stack, key)
    recv(ws)
    ws.send(json.dumps({"type": "response.create", "x_fake": {"stall": True, "cancel_usage": usage(50, 7)}}))
    until(ws, "response.output_text.delta")
    ws.close()  # Tollgate sends response.cancel and bills the cancelled response's response.done
    settled(stack, account, 100_000 - cost(50, 7))
    (row,) = stack.logs(account)
    assert (row.prompt_tokens, row.completion_tokens, row.credits, row.error_code) == \
        (50, 7, cost(50, 7), "response_cancelled")


def test_an_upstream_that_hangs_up_mid_response_is_billed_what_was_relayed(stack):
    key, _key_id, account = stack.new_key(100_000)
    with open_ws(stack, key) as ws:
        recv(ws)
        ws.send(json.dumps({"type": "response.create", "x_fake": {"hang_up": True, "deltas": 3,
                                                                   "text": "twelve chars"}}))
        until(ws, "response.created")
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1011  # the upstream's close, passed on
    estimate = estimate_text_tokens("twelve chars" * 3)
    settled(stack, account, 100_000 - 2 * estimate)
    (row,) = stack.logs(account)
    assert (row.completion_tokens, row.estimated, row.status, row.error_code) == \
        (estimate, True, 502, "provider_error")


def test_an_idle_upstream_that_hangs_up_returns_the_hold(stack):
    key, _key_id, account = stack.new_key(100_000)
    with open_ws(stack, key) as ws:
        recv(ws)
        ws.send(json.dumps({"type": "x_fake.hang_up"}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1011
    settled(stack, account, 100_000)
    assert stack.logs(account) == []  # no response ran: nothing to log


def test_the_key_in_the_browser_subprotocol(stack):
    key, _key_id, account = stack.new_key(100_000)
    with connect(ws_url(stack, prefix="/api/v1"), proxy=None,
                 subprotocols=["realtime", f"openai-insecure-api-key.{key}", "openai-beta.realtime-v1"]) as ws:
        assert ws.subprotocol == "realtime"
        created = recv(ws)
        assert created["session"]["x_fake"]["beta"] == "realtime=v1"  # the beta protocol, asked for upstream
        ws.send(json.dumps({"type": "response.create"}))
        until(ws, "response.done")
    settled(stack, account, 100_000 - cost(10, 5))


@pytest.mark.parametrize("key", [None, "sk-not-a-key"])
def test_a_bad_key_is_refused_before_the_upgrade(stack, fake_rt, key):
    before = sessions_seen(fake_rt)
    with pytest.raises(InvalidStatus) as refused:
        open_ws(stack, key)
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["code"] == "invalid_api_key"
    r = requests.get(ws_url(stack).replace("ws://", "http://"), timeout=10,
                     headers={"Authorization": f"Bearer {key or ''}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    assert sessions_seen(fake_rt) == before


def test_unknown_models_and_chat_only_channels_never_get_a_session(stack, fake_rt):
    key, _key_id, account = stack.new_key(100_000)
    before = sessions_seen(fake_rt)
    for model, status, code in (("chat-only-model", 503, "provider_not_configured"),
                                ("no-such-model", 404, "model_not_available"), ("", 400, "model_required")):
        with pytest.raises(InvalidStatus) as refused:
            open_ws(stack, key, url=ws_url(stack, model))
        assert refused.value.response.status_code == status, model
        assert json.loads(refused.value.response.body)["error"]["code"] == code
    assert sessions_seen(fake_rt) == before
    # A plain GET with a good key is told to upgrade.
    r = requests.get(ws_url(stack).replace("ws://", "http://"), headers={"Authorization": f"Bearer {key}"},
                     timeout=10)
    assert r.status_code == 426 and r.json()["error"]["code"] == "upgrade_required"
    assert stack.balance(account) == 100_000 and stack.verify() == []


def test_a_session_is_one_request_in_flight_for_the_key(stack):
    key, _key_id, account = stack.new_key(100_000, max_concurrency=1)
    with open_ws(stack, key) as ws:
        recv(ws)
        with pytest.raises(InvalidStatus) as refused:
            open_ws(stack, key)
        assert refused.value.response.status_code == 429
    settled(stack, account, 100_000)
    deadline = time.monotonic() + 10
    while True:  # the slot is given back in the session's finally
        try:
            with open_ws(stack, key) as ws:
                assert recv(ws)["type"] == "session.created"
            break
        except InvalidStatus:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    settled(stack, account, 100_000)


def test_an_upstream_that_refuses_the_channels_key_is_a_502_and_nothing_is_held(stack):
    key, _key_id, account = stack.new_key(100_000)
    with pytest.raises(InvalidStatus) as refused:
        open_ws(stack, key, url=ws_url(stack, "rt-refused"))
    assert refused.value.response.status_code == 502
    assert json.loads(refused.value.response.body)["error"]["code"] == "provider_error"
    assert "sk-refused" not in refused.value.response.body.decode()
    settled(stack, account, 100_000)
    (row,) = stack.logs(account)
    assert (row.status, row.error_code, row.credits) == (502, "provider_error", 0)


def test_an_idle_sessions_hold_is_renewed_before_the_sweeper_could_take_it(sqlite_databases, fake_rt):
    s = Stack(sqlite_databases.new(), name="realtime-renewal", env={"HOLD_TTL_SECONDS": "2"})
    try:
        s.set_model(MODEL, context_window=1000, max_output_tokens=500, **PRICES)
        s.add_channel("rt", fake_rt + "/v1", [MODEL], model_map={MODEL: UPSTREAM_NAME}, speaks="openai.realtime")
        key, _key_id, account = s.new_key(100_000)
        with open_ws(s, key) as ws:
            recv(ws)
            time.sleep(2.6)  # renewed every HOLD_TTL_SECONDS / 2
            assert s.balance(account) == 100_000 - HOLD  # one hold at a time, however often renewed
            ws.send(json.dumps({"type": "response.create"}))
            until(ws, "response.done")
        entries = settled(s, account, 100_000 - cost(10, 5))
        reserves = [e for e in entries if e.kind == "reserve"]
        assert len(reserves) >= 3 and [e.amount for e in entries if e.kind == "charge"] == [-cost(10, 5)]
        assert len(s.logs(account)) == 1  # renewals are no requests
    finally:
        s.stop()

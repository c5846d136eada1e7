"""/metrics under gunicorn with four gevent workers (Prometheus multiprocess
mode): counts from every worker add up, streams open right now are seen
from any worker, the endpoint is closed without the token or an allowed
network; and LOG_FORMAT=json writes one parseable object per line with the
request's fields and never a whole key."""
from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from services import metrics
from tests.blueprints.api_v1.conftest import seed
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack, make_app

TOKEN = "metrics-token-" + "x" * 24
WORKERS = 4


@pytest.fixture(scope="module")
def multiproc_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("prom")
    (path / "counter_999999.db").write_bytes(b"left by an earlier run")  # gunicorn.conf.py must wipe it
    return path


@pytest.fixture(scope="module")
def stack(sqlite_databases, fake_upstream, multiproc_dir):
    # Breakers on (their state is a figure) but never tripped by a stray 502.
    stack = Stack(sqlite_databases.new(), workers=WORKERS, name="metrics",
                  env={"METRICS_TOKEN": TOKEN, "LOG_FORMAT": "json", "BREAKER_ENABLED": "1", "BREAKER_FAILURES": "1000",
                       "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir)})
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def scrape(stack, token=TOKEN) -> dict:
    """{(name, sorted labels): value} of one scrape."""
    response = requests.get(stack.url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text[:500]
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples: dict, metric: str, /, **labels) -> float:
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == metric and want <= set(ls))


def chat(stack, raw, text, stream=False):
    body = {"model": "fake-model", "messages": [{"role": "user", "content": text}], "stream": stream}
    response = requests.post(stack.url + "/v1/chat/completions", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {raw}", "Connection": "close"})
    response.content  # read it all (a stream ends with [DONE])
    return response


def channel_id(stack) -> str:
    from models import Channel

    from extensions import db
    with stack.app.app_context():
        return str(db.session.query(Channel.id).filter_by(name="fake").scalar())


def per_worker_requests(directory: Path) -> dict[int, float]:
    """tollgate_relay_requests counted in each worker's own file."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(str(path)):
            if json.loads(key)[0] == "tollgate_relay_requests":
                counts[pid] = counts.get(pid, 0) + value
    return counts


def test_stale_files_are_wiped_at_start(stack, multiproc_dir):
    assert not (multiproc_dir / "counter_999999.db").exists()


def test_counts_add_up_across_four_workers(stack, upstream, multiproc_dir):
    assert len(stack.server.worker_pids()) == WORKERS
    channel = channel_id(stack)
    before = scrape(stack)
    raw, _, account = stack.new_key(50_000_000)
    usage = directive(usage={"prompt_tokens": 7, "completion_tokens": 5}, first_byte_delay=0.2)
    plain, streams, refused = 48, 8, 3
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda i: (i < streams, chat(stack, raw, usage, stream=i < streams)),
                                range(plain + streams)))
    # Under load a pooled upstream connection can go stale and that call
    # fails fast (502, no failover with one channel): whatever the clients
    # saw is what must be counted.
    seen = Counter(str(r.status_code) for _, r in answers)
    ok = seen["200"]
    ok_streams = sum(1 for is_stream, r in answers if is_stream and r.status_code == 200)
    assert ok >= (plain + streams) * 3 // 4, seen
    for _ in range(refused):
        response = requests.post(stack.url + "/v1/chat/completions", timeout=10,
                                 headers={"Authorization": f"Bearer {raw}"},
                                 json={"model": "no-such-model-" + os.urandom(4).hex(),
                                       "messages": [{"role": "user", "content": "hi"}]})
        assert response.status_code == 404
    after = scrape(stack)

    def delta(name, **labels):
        return total(after, name, **labels) - total(before, name, **labels)

    relay = {"door": "openai", "model": "fake-model", "channel": channel}
    for status, count in seen.items():
        assert delta("tollgate_relay_requests_total", status=status, **relay) == count
    assert delta("tollgate_relay_requests_total", **relay) == plain + streams
    assert delta("tollgate_relay_request_duration_seconds_count", **relay) == plain + streams
    assert delta("tollgate_relay_time_to_first_token_seconds_count", **relay) == ok_streams
    assert delta("tollgate_relay_tokens_total", kind="prompt", **relay) == 7 * ok
    assert delta("tollgate_relay_tokens_total", kind="completion", **relay) == 5 * ok
    logs = stack.logs(account)
    assert delta("tollgate_relay_credits_total", **relay) == sum(log.credits for log in logs) > 0
    # Refusals: the client's model name is not a label value.
    assert delta("tollgate_relay_requests_total", door="openai", model="unknown", channel="none",
                 status="404") == refused
    assert delta("tollgate_relay_errors_total", door="openai", model="unknown", channel="none") == refused
    # The sum really is over several workers: each one's own file holds part of it.
    spread = per_worker_requests(multiproc_dir)
    assert sum(spread.values()) == total(after, "tollgate_relay_requests_total")
    assert len([pid for pid, n in spread.items() if n]) >= 2, spread
    # Read at scrape time.
    assert total(after, "tollgate_holds_outstanding") == 0
    assert total(after, "tollgate_relay_open_streams") == 0
    assert total(after, "tollgate_breaker_state", channel=channel, model="fake-model", state="closed") == 1
    assert total(after, "tollgate_channel_info", channel=channel, name="fake") == 1


def test_open_streams_and_holds_are_seen_while_a_stream_runs(stack, upstream):
    raw, _, _ = stack.new_key(50_000_000)
    body = {"model": "fake-model", "stream": True,
            "messages": [{"role": "user", "content": directive(reply="a b c d e f", chunks=6, delay=0.5)}]}
    response = requests.post(stack.url + "/v1/chat/completions", json=body, stream=True, timeout=30,
                             headers={"Authorization": f"Bearer {raw}"})
    lines = response.iter_lines()
    next(lines)  # the stream has started
    # Several scrapes, so that other workers than the streaming one answer too.
    during = [scrape(stack) for _ in range(6)]
    for line in lines:
        pass
    response.close()
    assert all(total(s, "tollgate_relay_open_streams", door="openai") == 1 for s in during)
    assert all(total(s, "tollgate_holds_outstanding") == 1 for s in during)
    assert all(total(s, "tollgate_holds_outstanding_credits") > 0 for s in during)
    deadline = time.monotonic() + 5
    while total(scrape(stack), "tollgate_relay_open_streams") != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = scrape(stack)
    assert total(after, "tollgate_relay_open_streams") == 0
    assert total(after, "tollgate_holds_outstanding") == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": "Basic " + TOKEN}])
def test_metrics_are_not_found_without_the_token(stack, headers):
    # 127.0.0.1 is not allow-listed on this server: only the token opens it.
    response = requests.get(stack.url + "/metrics", headers=headers, timeout=10)
    assert response.status_code == 404
    assert "tollgate_" not in response.text


def test_metrics_with_the_token(stack):
    response = requests.get(stack.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE tollgate_relay_requests_total counter" in response.text


def test_allow_listed_network_needs_no_token(stack):
    app = make_app(stack.db_url, METRICS_ALLOW_NETWORKS="10.0.0.0/8, 127.0.0.1/32")
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.168.1.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:10.1.1.1"}).status_code == 200
    closed = make_app(stack.db_url).test_client()
    assert closed.get("/metrics").status_code == 404


def test_a_bad_network_stops_the_start(stack):
    with pytest.raises(RuntimeError, match="METRICS_ALLOW_NETWORKS"):
        make_app(stack.db_url, METRICS_ALLOW_NETWORKS="10.0.0.0/8,not-a-net")


def test_may_scrape():
    config = {"METRICS_TOKEN": "t0ken", "METRICS_ALLOW_NETWORKS": "192.0.2.0/24,2001:db8::/32"}
    assert metrics.may_scrape(config, "203.0.113.5", "Bearer t0ken")
    assert metrics.may_scrape(config, "203.0.113.5", "bearer  t0ken")
    assert not metrics.may_scrape(config, "203.0.113.5", "Bearer t0ke")
    assert metrics.may_scrape(config, "192.0.2.77", None)
    assert metrics.may_scrape(config, "2001:db8::1", None)
    assert not metrics.may_scrape(config, "2001:db9::1", None)
    assert not metrics.may_scrape(config, "garbage", None)
    assert not metrics.may_scrape({"METRICS_TOKEN": None, "METRICS_ALLOW_NETWORKS": ""}, "127.0.0.1", "Bearer ")


def test_json_log_lines_parse_and_carry_the_request_fields(stack, upstream):
    raw, key_id, account = stack.new_key(50_000_000)
    ok = chat(stack, raw, directive(usage={"prompt_tokens": 3, "completion_tokens": 2}))
    refused = requests.post(stack.url + "/v1/chat/completions", timeout=10, headers={"Authorization": f"Bearer {raw}"},
                            json={"model": "orphan-model", "messages": [{"role": "user", "content": "hi"}]})
    assert ok.status_code == 200 and refused.status_code >= 400
    wanted = {ok.headers["x-request-id"], refused.headers["x-request-id"]}
    deadline = time.monotonic() + 5
    while True:
        text = stack.server.log_text()
        if all(rid in text for rid in wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line[:300]!r}")
    assert all({"ts", "level", "logger", "message"} <= set(obj) for obj in parsed)
    by_id = {obj["request_id"]: obj for obj in parsed if obj.get("message") == "request" and "request_id" in obj}
    good, bad = by_id[ok.headers["x-request-id"]], by_id[refused.headers["x-request-id"]]
    fields = {"request_id", "key_id", "key_prefix", "model", "channel_id", "status", "latency_ms", "credits"}
    assert fields <= set(good) and fields <= set(bad)
    assert good["key_prefix"] == raw[:7] and good["key_id"] == key_id
    assert good["model"] == "fake-model" and good["channel_id"] == int(channel_id(stack))
    assert good["status"] == 200 and good["credits"] == stack.logs(account)[0].credits > 0
    assert good["prompt_tokens"] == 3 and good["completion_tokens"] == 2
    assert bad["status"] == refused.status_code and bad["credits"] == 0 and bad["channel_id"] is None
    assert raw not in text and raw[7:] not in text
    # gunicorn's own access lines are JSON objects too.
    assert any(obj["logger"] == "gunicorn.access" for obj in parsed)


def test_json_formatter_cuts_anything_like_a_key():
    import logging

    from services.logs import JsonFormatter

    key = "sk-" + "A1b2" * 10
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "upstream said %s", (f"bad key {key}",), None)
    line = JsonFormatter().format(record)
    assert key not in line and json.loads(line)["message"] == "upstream said bad key sk-A1b2..."
    assert re.fullmatch(r"\{.*\}", line)


def test_payment_notifies_are_counted_by_outcome(stack):
    # In process (no PROMETHEUS_MULTIPROC_DIR here): the figures are this process's.
    client = make_app(stack.db_url, METRICS_TOKEN=TOKEN).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def rejected():
        text = client.get("/metrics", headers=auth).get_data(as_text=True)
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for f in text_string_to_metric_families(text) for s in f.samples}
        return {dict(ls)["outcome"]: v for (n, ls), v in samples.items() if n == "tollgate_payment_notifies_total"}

    before = rejected()
    response = client.post("/pay/alipay/notify", data={"out_trade_no": "T" * 500, "sign": "forged"})
    assert response.status_code == 400
    after = rejected()
    [outcome] = [o for o in after if after[o] != before.get(o, 0)]
    assert after[outcome] == before.get(outcome, 0) + 1
    assert outcome in ("provider_unavailable", "bad_signature") and "T" * 10 not in outcome

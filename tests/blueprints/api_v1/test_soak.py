"""A soak: PostgreSQL, Redis, 4 gevent workers and three fake upstreams, two
of which keep changing their mind (500s, 429s, hangs, cut streams, slow
chunks) while 40 clients mix plain calls, full streams, streams abandoned
after a few chunks (some while the upstream is silent between chunks, some
before its first byte), calls beyond their balance, injected faults and
raced top-ups (four dev payments of one order at once), for SOAK_SECONDS
(default 60; every client loop also stops after MAX_ITERATIONS).

Afterwards: the ledger verifies, no hold is outstanding, every key's `spent`
equals its charges, every abandoned stream is logged 499 and billed for what
it relayed, no client saw a 5xx the upstream did not cause, every order was
credited once, and the worker log holds no traceback."""
from __future__ import annotations

import json
import os
import random
import re
import secrets
import socket
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
import redis
import requests
from sqlalchemy import func, select

from extensions import db
from models import ApiKey, LedgerEntry, Order, RequestLog
from services.store.orders import create as order_create
from tests.blueprints.api_v1.conftest import PRICED
from tests.fakes.upstream_client import FakeUpstream, directive
from tests.support.databases import PostgresDatabase, REDIS_URL, postgres_unavailable, redis_unavailable
from tests.support.stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
MAX_ITERATIONS = 400  # per client: the loops end by themselves even if every call is instant
SETTLE_WAIT = 10.0    # seconds allowed for in-flight settles after the load
RICH = 10**12
POOR = 1_500         # one full hold (~1,000) and a few dozen cheap calls: then 402s
TOKEN = re.compile(r'name="csrf[-_]token" (?:value|content)="([^"]+)"')

# Fault modes the two faulty channels cycle through (None removes a key).
FAULT_KEYS = ("status", "retry_after", "hang", "die_after", "delay", "first_byte_delay", "error_after")
FAULT_MODES = [
    {"status": 500},
    {"status": 429, "retry_after": 1},
    {"status": 503},
    {"hang": True},              # past the channel's first-byte timeout: failover
    {"die_after": 2},            # streams cut after two deltas (non-streams unaffected)
    {"error_after": 1},          # in-stream provider error
    {"delay": 0.3},              # slow chunks
    {"first_byte_delay": 0.4},   # slow start, under the timeout
    {},                          # healthy for a while
]


@dataclass
class Outcome:
    role: str
    model: str
    stream: bool
    status: int | None        # HTTP status the client saw (None: transport error)
    request_id: str | None
    key_id: int
    injected: bool = False    # the request's own directive asks the upstream for a fault
    in_stream_error: bool = False
    error: str | None = None
    events: int = 0
    body: bytes = b""
    upstream: str = ""


@dataclass
class Soak:
    outcomes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict = field(default_factory=dict)        # order_no -> (account_id, credits)
    pay_statuses: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)        # client-side exceptions (harness problems)
    healthy: object = None                            # the healthy FakeUpstream

    def add(self, content: bytes, outcome: Outcome) -> None:
        if outcome.status and outcome.status >= 500 and not outcome.injected:
            # Evidence for the report: what the client read, and what (if
            # anything) the healthy upstream received for this request.
            outcome.body = content[-300:]
            if outcome.model == "soak-safe" and self.healthy is not None:
                seen = [r for r in self.healthy.requests(limit=200) if _local.nonce in json.dumps(r.get("body"))]
                outcome.upstream = (f"healthy upstream got it, directive {seen[0].get('directive')}" if seen
                                    else "not among the healthy upstream's last 200 requests")
        with self.lock:
            self.outcomes.append(outcome)


# ---------------------------------------------------------------- clients

def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


_local = threading.local()


def _body(model: str, text: str, stream: bool) -> bytes:
    # A nonce per request finds it among the fake upstream's recorded requests.
    _local.nonce = "nonce-" + secrets.token_hex(6)
    return json.dumps({"model": model, "stream": stream,
                       "messages": [{"role": "user", "content": text + " " + _local.nonce}]}).encode()


def raw_stream(url: str, raw_key: str, model: str, text: str, *, abandon_after: int | None,
               timeout: float = 30.0, give_up: float | None = None) -> tuple[int | None, str | None, bytes]:
    """POST a streaming chat over a raw socket. With `abandon_after`, read
    that many SSE events then close the socket; else read to the end. With
    `give_up`, close the socket after that many seconds without an answer.
    Returns (status, request id, everything read)."""
    body = _body(model, text, True)
    sock = socket.create_connection(("127.0.0.1", _port(url)), timeout=timeout)
    try:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     b"Authorization: Bearer " + raw_key.encode() + b"\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        seen = b""
        status = request_id = None
        if give_up is not None:
            sock.settimeout(give_up)
        while True:
            if status is None and b"\r\n\r\n" in seen:
                head = seen.split(b"\r\n\r\n", 1)[0].decode("latin-1")
                status = int(head.split(" ", 2)[1])
                found = re.search(r"(?im)^x-request-id:\s*(\S+)", head)
                request_id = found.group(1) if found else None
                if status != 200:
                    abandon_after = None  # an error answer: read it whole
            if abandon_after is not None and status == 200 and seen.count(b"data: ") >= abandon_after:
                return status, request_id, seen
            try:
                data = sock.recv(65536)
            except socket.timeout:
                if give_up is None or status is not None:
                    raise
                return None, None, seen  # hung up without an answer
            if not data:
                return status, request_id, seen
            seen += data
    finally:
        sock.close()


def post_chat(session: requests.Session, url: str, raw_key: str, model: str, text: str,
              stream: bool) -> tuple[int, str | None, bytes]:
    response = session.post(url + "/v1/chat/completions", data=_body(model, text, stream), timeout=30,
                            headers={"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json"})
    return response.status_code, response.headers.get("x-request-id"), response.content


def client(soak: Soak, role: str, url: str, raw_key: str, key_id: int, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    for i in range(MAX_ITERATIONS):
        if time.monotonic() >= deadline:
            return
        try:
            one_call(soak, role, url, raw_key, key_id, rng, session, i)
        except Exception as exc:  # a harness problem, reported by the test
            soak.errors.append(f"{role}: {exc.__class__.__name__}: {exc}")
            time.sleep(0.2)


def one_call(soak, role, url, raw_key, key_id, rng, session, i) -> None:
    words = " ".join(["word"] * rng.randint(5, 40))
    if role == "plain":
        model = "soak-safe" if i % 2 else "soak-mixed"
        status, rid, content = post_chat(session, url, raw_key, model, "hello " + words, False)
        soak.add(content, Outcome(role, model, False, status, rid, key_id))
    elif role == "stream":
        model = "soak-safe" if i % 2 else "soak-mixed"
        text = "stream please " + directive(reply=words, delay=rng.choice([0, 0.01, 0.05]))
        status, rid, content = raw_stream(url, raw_key, model, text, abandon_after=None)
        soak.add(content, Outcome(role, model, True, status, rid, key_id, events=content.count(b"data: "),
                         in_stream_error=b'"error"' in content))
    elif role == "abandon":
        # Read a few chunks of a steady stream, then hang up.
        text = "long story " + directive(reply=words, chunks=40, delay=0.05)
        status, rid, content = raw_stream(url, raw_key, "soak-safe", text, abandon_after=rng.randint(3, 6))
        soak.add(content, Outcome(role, "soak-safe", True, status, rid, key_id, events=content.count(b"data: ")))
    elif role == "abandon-silent":
        # Read the role chunk and a content chunk, then hang up while the
        # upstream sleeps before its next chunk: the relay has nothing to write.
        # Some silences outlast the stream pings (10 s) and the settle wait.
        text = "slow story " + directive(reply=words, chunks=10, delay=rng.choice([1.5, 4.0, 15.0]))
        status, rid, content = raw_stream(url, raw_key, "soak-safe", text, abandon_after=2)
        soak.add(content, Outcome(role, "soak-safe", True, status, rid, key_id, events=content.count(b"data: ")))
    elif role == "abandon-waiting":
        # Hang up before the first byte, while the upstream has not answered yet.
        text = "think first " + directive(reply=words, chunks=10, delay=0.5, first_byte_delay=2)
        status, rid, content = raw_stream(url, raw_key, "soak-safe", text, abandon_after=0, give_up=0.5)
        soak.add(content, Outcome(role, "soak-safe", True, status, rid, key_id, events=content.count(b"data: ")))
    elif role == "poor":
        status, rid, content = post_chat(session, url, raw_key, "soak-safe", "cheap", False)
        soak.add(content, Outcome(role, "soak-safe", False, status, rid, key_id))
        if status == 402:
            time.sleep(0.3)
    elif role == "injected":
        fault = rng.choice([{"status": 500}, {"status": 502}, {"status": 429, "retry_after": 1},
                            {"die_after": 1, "chunks": 6}, {"error_after": 2, "chunks": 6}])
        stream = "status" not in fault or rng.random() < 0.5
        text = "fault " + directive(**fault)
        if stream:
            status, rid, content = raw_stream(url, raw_key, "soak-safe", text, abandon_after=None)
        else:
            status, rid, content = post_chat(session, url, raw_key, "soak-safe", text, False)
        soak.add(content, Outcome(role, "soak-safe", stream, status, rid, key_id, injected=True))
    else:
        raise AssertionError(role)


def chaos(fakes, deadline: float, stop: threading.Event) -> None:
    """Flip each faulty upstream's behaviour every 0.5-1.5 s."""
    rng = random.Random(7)
    cleared = {k: None for k in FAULT_KEYS}
    while time.monotonic() < deadline and not stop.is_set():
        for fake in fakes:
            fake.configure(**(cleared | rng.choice(FAULT_MODES)))
        stop.wait(rng.uniform(0.5, 1.5))
    for fake in fakes:
        fake.configure(**cleared)


def top_ups(soak: Soak, stack: Stack, raw_key: str, account_id: int, deadline: float) -> None:
    """Every few seconds a top-up order for the busy account, whose dev
    payment is posted by four clients at once (several workers race to
    fulfil it) while the account's keys spend."""
    web = requests.Session()
    page = web.get(stack.url + "/orders/lookup", timeout=10).text
    token = TOKEN.search(page).group(1)
    for n in range(12):
        if time.monotonic() >= deadline - 3:
            return
        email = f"soak{n}@example.com"
        with stack.app.app_context():
            order = order_create.create_topup(raw_key, "topup_20", email)
            soak.orders[order.order_no] = (account_id, order.base_credits + order.bonus_credits)
        barrier = threading.Barrier(4)

        def pay(order_no=order.order_no, email=email):
            barrier.wait(timeout=10)
            r = web.post(f"{stack.url}/pay/dev/{order_no}", timeout=30, allow_redirects=False,
                         data={"csrf_token": token, "contactEmail": email})
            with soak.lock:
                soak.pay_statuses[r.status_code] += 1

        racers = [threading.Thread(target=pay) for _ in range(4)]
        for t in racers:
            t.start()
        for t in racers:
            t.join(timeout=40)
        time.sleep(3)


# ---------------------------------------------------------------- the stack

@pytest.fixture(scope="module")
def soak_stack():
    for reason in (postgres_unavailable(), redis_unavailable()):
        if reason:
            pytest.skip(reason)
    redis.Redis.from_url(REDIS_URL).flushdb()
    database = PostgresDatabase()
    fakes: list[FakeUpstream] = []
    stack = None
    try:
        fakes += [FakeUpstream().start() for _ in range(3)]
        # 4 workers x (5 + 5) connections stays well under PostgreSQL's 100.
        stack = Stack(database.url, workers=4, name="soak",
                      env={"REDIS_URL": REDIS_URL, "DB_POOL_SIZE": "5", "DB_MAX_OVERFLOW": "5"})
        healthy, flaky_a, flaky_b = fakes
        stack.set_model("soak-safe", max_output_tokens=200, **PRICED)
        stack.set_model("soak-mixed", max_output_tokens=200, **PRICED)
        h = stack.add_channel("healthy", healthy.base_url_v1, ["soak-safe", "soak-mixed"], priority=1)
        a = stack.add_channel("flaky-a", flaky_a.base_url_v1, ["soak-mixed"], priority=10,
                              timeouts=(2.0, 1.0, 1.5))
        b = stack.add_channel("flaky-b", flaky_b.base_url_v1, ["soak-mixed"], priority=5,
                              timeouts=(2.0, 1.0, 1.5))
        yield stack, fakes, {"healthy": h, "flaky": {a, b}}
    finally:
        if stack is not None:
            stack.stop()
        for fake in fakes:
            fake.stop()
        database.drop()


ROLES = {"plain": 8, "stream": 8, "abandon": 6, "abandon-silent": 6, "abandon-waiting": 4, "poor": 4,
         "injected": 4}


# ---------------------------------------------------------------- checks

def worker_lines(text: str, request_id: str | None) -> list[str]:
    """The worker log's lines about one request (not the access log's)."""
    if not request_id:
        return []
    return [line[:200] for line in text.splitlines() if request_id in line and "tollgate" in line]


def outstanding_holds(stack: Stack) -> list[tuple]:
    """Reserve entries with no release entry for the same request."""
    with stack.app.app_context():
        released = select(LedgerEntry.ref).where(LedgerEntry.kind == "release")
        return db.session.execute(
            select(LedgerEntry.ref, LedgerEntry.account_id, LedgerEntry.key_id, LedgerEntry.amount)
            .where(LedgerEntry.kind == "reserve", LedgerEntry.ref.not_in(released))).all()


def test_soak(soak_stack):
    stack, fakes, channels = soak_stack
    soak = Soak(healthy=fakes[0])
    started = time.monotonic()
    deadline = started + SOAK_SECONDS

    busy_account = None
    keys: list[tuple[str, str, int]] = []  # (role, raw, key id)
    for role, count in ROLES.items():
        for n in range(count):
            if role == "poor":
                raw, key_id, _ = stack.new_key(POOR, name=f"{role}-{n}", rpm=100_000)
            elif busy_account is None:
                raw, key_id, busy_account = stack.new_key(RICH, name=f"{role}-{n}", rpm=100_000)
                busy_raw = raw
            else:
                with stack.app.app_context():
                    from services.identity.keys import create_key
                    key, raw = create_key(busy_account, f"{role}-{n}", rpm=100_000)
                    key_id = key.id
            keys.append((role, raw, key_id))

    roles = {kid: role for role, _, kid in keys}
    stop = threading.Event()
    threads = [threading.Thread(target=chaos, args=(fakes[1:], deadline, stop), name="chaos"),
               threading.Thread(target=top_ups, args=(soak, stack, busy_raw, busy_account, deadline),
                                name="top-ups")]
    threads += [threading.Thread(target=client, args=(soak, role, stack.url, raw, key_id, deadline, i),
                                 name=f"client-{role}-{i}")
                for i, (role, raw, key_id) in enumerate(keys)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SOAK_SECONDS + 60)
    stop.set()
    load_seconds = time.monotonic() - started
    assert not [t.name for t in threads if t.is_alive()], "clients did not stop by themselves"

    # In-flight settles (abandoned streams noticed late) get a bounded wait.
    settle_deadline = time.monotonic() + SETTLE_WAIT
    while outstanding_holds(stack) and time.monotonic() < settle_deadline:
        time.sleep(0.25)
    holds = outstanding_holds(stack)
    settle_seconds = time.monotonic() - started - load_seconds
    upstream_in_flight = [f.stats()["in_flight"] for f in fakes]

    outcomes = soak.outcomes
    by_role = Counter(o.role for o in outcomes)
    statuses = Counter((o.role, o.status) for o in outcomes)
    print(f"\nsoak: {len(outcomes)} calls in {load_seconds:.1f} s (+{settle_seconds:.1f} s for settles); "
          f"by role {dict(by_role)}")
    print("statuses:", dict(sorted(statuses.items(), key=str)))
    print("top-up payments:", dict(soak.pay_statuses), "orders:", len(soak.orders))
    print("worker log:", stack.server.log_path)
    print("fakes:", [{k: f.stats()[k] for k in ("calls", "completed", "aborted", "died", "in_flight")}
                     for f in fakes])

    with stack.app.app_context():
        logs = {row.request_id: row for row in db.session.scalars(select(RequestLog)).all()}
        spent = {k.id: k.spent for k in db.session.scalars(select(ApiKey)).all()}
        charges = dict(db.session.execute(
            select(LedgerEntry.key_id, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.kind == "charge").group_by(LedgerEntry.key_id)).all())
        order_rows = {o.order_no: o for o in db.session.scalars(select(Order)).all()}
        order_sums = dict(db.session.execute(
            select(LedgerEntry.ref, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.ref.in_(list(soak.orders))).group_by(LedgerEntry.ref)).all())
        db.session.expunge_all()

    worker_log = stack.server.log_text()
    problems: dict[str, list] = defaultdict(list)
    if soak.errors:
        problems["client-side errors (harness)"] = soak.errors[:10] + [f"... {len(soak.errors)} in all"]

    # 1. The ledger verifies.
    problems["ledger verify"] = [d.describe() for d in stack.verify()]

    # 2. No hold outstanding: every client has finished, so no request is live.
    problems["holds outstanding after the load"] = [
        f"{ref} account {account} key {key_id} ({roles.get(key_id)}) hold {-amount}" + (
            f" (logged {logs[ref].status} {logs[ref].error_code})" if ref in logs else " (no request log)")
        for ref, account, key_id, amount in holds]

    # 2b. Nor an upstream call still open for a client long gone.
    if any(upstream_in_flight):
        problems["upstream calls still open after the load (healthy, flaky-a, flaky-b)"] = [upstream_in_flight]

    # 3. Each key's spent equals the sum of its charges.
    problems["key spent != charges"] = [
        f"key {kid}: spent {spent[kid]} charges {-(charges.get(kid) or 0)}"
        for _, _, kid in keys if spent[kid] != -(charges.get(kid) or 0)]

    # 4. Each abandoned stream is logged 499 and billed for what it relayed.
    for o in outcomes:
        if o.role not in ("abandon", "abandon-silent") or o.status != 200:
            continue
        log = logs.get(o.request_id)
        if log is None:
            problems[f"{o.role}: no request log"].append(o.request_id)
        elif log.status != 499 or not log.credits:
            problems[f"{o.role}: not 499 or billed 0"].append(
                f"{o.request_id}: status {log.status} {log.error_code} credits {log.credits} "
                f"completion {log.completion_tokens} (client read {o.events} events)")

    # 4b. A client that hung up before the first byte is logged 499 too.
    waiting_keys = {kid for role, _, kid in keys if role == "abandon-waiting"}
    problems["abandon-waiting: not logged 499"] = [
        f"{rid}: status {log.status} {log.error_code} credits {log.credits}"
        for rid, log in logs.items() if log.key_id in waiting_keys and log.status != 499]

    # 5. No 5xx the upstream did not cause: soak-safe only reaches the healthy
    # upstream, so there a 5xx needs the request's own fault directive; on
    # soak-mixed the request log must name a faulty channel as the last one tried.
    for o in outcomes:
        if o.status is None and o.role != "abandon-waiting":
            problems["transport errors"].append(f"{o.role} {o.model} {o.error}")
            continue
        if o.status is None or o.status < 500 or o.injected:
            continue
        log = logs.get(o.request_id)
        if o.model == "soak-mixed" and log is not None and log.channel_id in channels["flaky"]:
            continue
        problems["5xx not caused by the upstream"].append(
            f"{o.role} {o.model} stream={o.stream} -> {o.status} {o.request_id} "
            f"(log: {log and (log.status, log.error_code, log.channel_id)}) "
            f"worker log: {worker_lines(worker_log, o.request_id)} client read: {o.body!r} {o.upstream}")
    # A 200 stream on the healthy upstream with no injected fault must not end in an error event.
    problems["in-stream error without an upstream fault"] = [
        f"{o.role} {o.request_id}" for o in outcomes
        if o.role == "stream" and o.model == "soak-safe" and o.status == 200 and o.in_stream_error]

    # 6. Every order credited exactly once, however many payers raced.
    for order_no, (account_id, credits) in soak.orders.items():
        row = order_rows[order_no]
        if row.status != "paid" or order_sums.get(order_no) != credits:
            problems["orders not credited once"].append(
                f"{order_no}: status {row.status} credited {order_sums.get(order_no)} of {credits}")

    # 7. Poor accounts: refused (402) rather than overdrawn.
    problems["poor keys: unexpected statuses"] = [
        f"{o.status}" for o in outcomes if o.role == "poor" and o.status not in (200, 402)]

    # 8. No traceback in the workers' log.
    text = worker_log
    # One incident per "Error handling request" or chained traceback: report
    # each one's last frame and exception line.
    incidents = [block for block in re.split(r"(?m)^(?=\S.*(?:ERROR|Exception in|Error handling))", text)
                 if "Traceback (most recent call last)" in block]
    problems["tracebacks in the worker log"] = [
        " | ".join([line.strip() for line in block.splitlines()
                    if re.match(r"\s+File .*/services/|\w+(Error|Exception|Exit)\b", line)][-3:])
        for block in incidents] or (["Traceback"] if "Traceback" in text else [])

    # The load itself ran: every kind of client got through.
    for role in ROLES:
        if role != "abandon-waiting" and not any(o.role == role and o.status == 200 for o in outcomes):
            problems["roles that never succeeded"].append(role)
    if not soak.orders:
        problems["no top-up was raced"].append("")

    failed = {what: found for what, found in problems.items() if found}
    for what, found in failed.items():
        print(f"FAIL {what}: {len(found)}")
        for line in found[:8]:
            print("   ", line)
    assert not failed, "; ".join(f"{what}: {len(found)}" for what, found in failed.items())

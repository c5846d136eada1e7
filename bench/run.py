"""Tollgate against direct calls to the same fake upstream and against the
floor (bench/floor.py: a bare Flask relay on the same gunicorn + gevent
worker), interleaved in one run. Floor and Tollgate pinned to CPU 0; the
fake upstream and this load client to CPU 1.

    .venv/bin/python -m bench.run [--rounds N] [--quick] [--postgres]

Measures (the method is in docs/benchmarks.md): added latency p50/p99 at concurrency 1
(non-stream), requests per second at concurrency 32 with one worker (one hot
account; and 32 accounts through one and through four workers), time to
first token overhead for a 20-chunk stream, streams/s with 16 clients, time
to first token when 500 streams open within one second, and memory per open
stream with 1,000 concurrent streams; each also as Tollgate minus (or over)
the floor. Prints a Markdown report and writes JSON to
bench/results/.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TOLLGATE_ENV", "testing")

from bench.loadgen import Target, burst_streams, hold_streams, run_closed_loop, run_count  # noqa: E402
from tests.fakes.upstream_client import FakeUpstream, directive  # noqa: E402
from tests.support.servers import GunicornServer  # noqa: E402
from tests.support.stack import make_app, migrate, server_env  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ACCOUNTS = 32  # the many-accounts scenario: one key on its own account per connection
CPUS = os.cpu_count() or 1


def pin(cpu: int):
    """preexec_fn pinning a child to one CPU (no-op on a one-CPU machine)."""
    def apply():
        if CPUS > 1:
            os.sched_setaffinity(0, {cpu})
    return apply


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def median_iqr(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], 0.0
    q = statistics.quantiles(values, n=4)
    return statistics.median(values), q[2] - q[0]


def proc_memory_kib(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                out[name.lower()] = int(rest.split()[0])
    return out


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


NAMES = ("direct", "floor", "via")
LABELS = {"direct": "direct", "floor": "floor", "via": "Tollgate"}


def order(r: int) -> list[str]:
    """The three targets in a different order each round (rotated, and
    reversed every other cycle), so none always runs first or last."""
    names = list(NAMES[r % 3:] + NAMES[:r % 3])
    return names[::-1] if (r // 3) % 2 else names


class Rig:
    def __init__(self, postgres: bool = False):
        self.tmp = tempfile.mkdtemp(prefix="tollgate-bench-")
        self.pg = None
        self.fake = FakeUpstream().start()
        if CPUS > 1:
            os.sched_setaffinity(self.fake.proc.pid, {1})
            os.sched_setaffinity(0, {1})
        if postgres:
            from tests.support.databases import PostgresDatabase

            self.pg = PostgresDatabase()  # a fresh database on the local server, dropped after
            db_url = self.pg.url
        else:
            db_url = f"sqlite:///{self.tmp}/bench.db"
        app = make_app(db_url)
        migrate(app)
        with app.app_context():
            from services.billing import accounts
            from services.catalog.channels import add_channel
            from services.catalog.models import set_model
            from services.identity.keys import create_key

            set_model("bench-model", max_output_tokens=64, input_price=1_000_000, output_price=2_000_000)
            add_channel("fake", "openai", self.fake.base_url_v1, "sk-upstream", ["bench-model"])
            account = accounts.create_account("bench")
            accounts.grant(account.id, 10**15)
            _key, self.key = create_key(account.id, "bench", rpm=10**8)
            self.many_keys = []  # one account each, for the many-accounts scenario
            for i in range(ACCOUNTS):
                other = accounts.create_account(f"bench-{i}")
                accounts.grant(other.id, 10**15)
                self.many_keys.append(create_key(other.id, "bench", rpm=10**8)[1])
        env = server_env(db_url, self.tmp, KEY_CACHE_TTL="3", CATALOG_CACHE_TTL="3", LOG_LEVEL="WARNING",
                         METRICS_ALLOW_NETWORKS="127.0.0.1/32")
        worker_args = ("--worker-connections", "1200")
        self.gateway = GunicornServer(env, workers=1, name="bench", access_log=False,
                                      extra_args=worker_args, preexec_fn=pin(0))
        # The floor on the same CPU with the same worker settings, one at a
        # time under load (the rounds run the targets one after another).
        self.floor = GunicornServer({"FLOOR_UPSTREAM": self.fake.base_url_v1}, workers=1, name="bench-floor",
                                    access_log=False, extra_args=worker_args, preexec_fn=pin(0),
                                    app="bench.floor:app")
        # Four workers on the same CPU for the many-accounts scenario.
        self.gateway4 = GunicornServer(env, workers=4, name="bench-4w", access_log=False,
                                       extra_args=worker_args, preexec_fn=pin(0))
        self.workers = {"via": self.gateway.worker_pids()[0], "floor": self.floor.worker_pids()[0]}
        self.worker = self.workers["via"]
        self.targets = {
            "via": Target("127.0.0.1", self.gateway.port, "/v1/chat/completions",
                          {"Authorization": f"Bearer {self.key}"}),
            "floor": Target("127.0.0.1", self.floor.port, "/v1/chat/completions"),
            "direct": Target("127.0.0.1", self.fake.port, "/v1/chat/completions",
                             {"Authorization": "Bearer sk-upstream"}),
        }

    def stop(self):
        self.gateway4.stop()
        self.gateway.stop()
        self.floor.stop()
        self.fake.stop()
        if self.pg is not None:
            self.pg.drop()


def body(text: str, stream: bool = False) -> bytes:
    payload = {"model": "bench-model", "max_tokens": 16, "messages": [{"role": "user", "content": text}]}
    if stream:
        payload["stream"] = True
    return json.dumps(payload).encode()


def compare(per_round: dict[str, list[float]]) -> dict:
    """Median and IQR over rounds of each target's figure, of floor and
    Tollgate minus direct, and of Tollgate minus the floor."""
    out = {name: median_iqr(values) for name, values in per_round.items()}
    pairs = [("floor", "direct"), ("via", "direct"), ("via", "floor")]
    for a, b in pairs:
        out[f"{a}_minus_{b}"] = median_iqr([x - y for x, y in zip(per_round[a], per_round[b])])
    return out


def ratio(per_round: dict[str, list[float]]) -> dict:
    """Like compare(), for rates: Tollgate over the floor per round."""
    out = {name: median_iqr(values) for name, values in per_round.items()}
    out["via_over_floor"] = median_iqr([x / y for x, y in zip(per_round["via"], per_round["floor"]) if y])
    out["floor_over_direct"] = median_iqr([x / y for x, y in zip(per_round["floor"], per_round["direct"]) if y])
    return out


async def latency_c1(rig: Rig, rounds: int, per_round: int) -> dict:
    payload = body("hello " + directive(reply="hi there", chunks=2))
    for name in NAMES:
        await run_count(rig.targets[name], payload, 100)
    p50 = {n: [] for n in NAMES}
    p99 = {n: [] for n in NAMES}
    for r in range(rounds):
        for name in order(r):
            results = await run_count(rig.targets[name], payload, per_round)
            assert all(x.status == 200 for x in results), f"{name}: non-200 answers"
            ms = [x.latency * 1000 for x in results]
            p50[name].append(pct(ms, 0.5))
            p99[name].append(pct(ms, 0.99))
    return {"p50_ms": compare(p50), "p99_ms": compare(p99), "rounds": rounds, "requests_per_round": per_round}


async def throughput_c32(rig: Rig, rounds: int, seconds: float) -> dict:
    payload = body("hello " + directive(reply="hi there", chunks=2))
    for name in ("floor", "via"):
        await run_closed_loop(rig.targets[name], payload, 32, 1.0)
    rps = {n: [] for n in NAMES}
    cpu_ms = {"floor": [], "via": []}
    errors = {n: 0 for n in NAMES}
    for r in range(rounds):
        for name in order(r):
            pid = rig.workers.get(name)
            cpu0 = proc_cpu_seconds(pid) if pid else 0.0
            results = await run_closed_loop(rig.targets[name], payload, 32, seconds)
            ok = sum(1 for x in results if x.status == 200)
            errors[name] += len(results) - ok
            rps[name].append(ok / seconds)
            if pid:
                cpu_ms[name].append((proc_cpu_seconds(pid) - cpu0) * 1000 / max(ok, 1))
    out = ratio(rps)
    cpu = {name: median_iqr(values) for name, values in cpu_ms.items()}
    cpu["via_minus_floor"] = median_iqr([x - y for x, y in zip(cpu_ms["via"], cpu_ms["floor"])])
    out.update({"cpu_ms_per_request": cpu,
                "errors": errors, "rounds": rounds, "seconds": seconds})
    return out


async def many_accounts(rig: Rig, rounds: int, seconds: float) -> dict:
    """c=32 with a key on its own account per connection, through one
    worker and through four (all on CPU 0): the rows of the books no longer
    queue behind one account."""
    payload = body("hello " + directive(reply="hi there", chunks=2))
    targets = {
        "one_worker": [Target("127.0.0.1", rig.gateway.port, "/v1/chat/completions",
                              {"Authorization": f"Bearer {key}"}) for key in rig.many_keys],
        "four_workers": [Target("127.0.0.1", rig.gateway4.port, "/v1/chat/completions",
                                {"Authorization": f"Bearer {key}"}) for key in rig.many_keys],
    }
    for name in targets:
        await run_closed_loop(targets[name], payload, 32, 1.0)
    rps = {name: [] for name in targets}
    errors = {name: 0 for name in targets}
    for r in range(rounds):
        for name in (list(targets) if r % 2 == 0 else list(targets)[::-1]):
            results = await run_closed_loop(targets[name], payload, 32, seconds)
            ok = sum(1 for x in results if x.status == 200)
            errors[name] += len(results) - ok
            rps[name].append(ok / seconds)
    return {name: median_iqr(values) for name, values in rps.items()} | {"errors": errors, "accounts": ACCOUNTS}


STREAM_20 = ("stream " + directive(reply=" ".join(f"t{i}" for i in range(20)), chunks=20, delay=0.005))


async def ttft_stream(rig: Rig, rounds: int, per_round: int) -> dict:
    payload = body(STREAM_20, stream=True)
    for name in NAMES:
        await run_count(rig.targets[name], payload, 10, stream=True)
    ttft = {n: [] for n in NAMES}
    total = {n: [] for n in NAMES}
    frames = {n: set() for n in NAMES}
    for r in range(rounds):
        for name in order(r):
            results = await run_count(rig.targets[name], payload, per_round, stream=True)
            frames[name].update(x.frames for x in results)
            ttft[name].append(statistics.median(x.first_token for x in results) * 1000)
            total[name].append(statistics.median(x.latency for x in results) * 1000)
    return {"ttft_ms": compare(ttft), "total_ms": compare(total),
            "frames": {n: sorted(f) for n, f in frames.items()}, "rounds": rounds, "streams_per_round": per_round}


async def burst_500(rig: Rig, rounds: int, count: int) -> dict:
    """`count` clients each opening a new connection for a 20-chunk stream,
    spread over one second: time to first token p50/p99 from the connect."""
    payload = body(STREAM_20, stream=True)
    for name in NAMES:
        await burst_streams(rig.targets[name], payload, 50, 0.5)
    p50 = {n: [] for n in NAMES}
    p99 = {n: [] for n in NAMES}
    errors = {n: 0 for n in NAMES}
    for r in range(rounds):
        for name in order(r):
            results = await burst_streams(rig.targets[name], payload, count, 1.0)
            good = [x.first_token * 1000 for x in results if x.status == 200 and x.done and x.first_token]
            errors[name] += len(results) - len(good)
            p50[name].append(pct(good, 0.5) if good else float("nan"))
            p99[name].append(pct(good, 0.99) if good else float("nan"))
            await asyncio.sleep(0.5)  # let the closed connections settle between targets
    return {"ttft_p50_ms": compare(p50), "ttft_p99_ms": compare(p99), "errors": errors,
            "streams": count, "rounds": rounds}


async def streams_c16(rig: Rig, rounds: int, seconds: float) -> dict:
    """16 clients streaming 20-chunk answers back to back on kept-alive
    connections: every stream must end with [DONE] (a pooled upstream
    connection handed on unfinished used to fail a few percent of them)."""
    payload = body("stream " + directive(reply=" ".join(f"t{i}" for i in range(20)), chunks=20), stream=True)
    rates = {n: [] for n in NAMES}
    errors = {n: 0 for n in NAMES}
    for r in range(rounds):
        for name in order(r):
            results = await run_closed_loop(rig.targets[name], payload, 16, seconds, stream=True)
            ok = sum(1 for x in results if x.status == 200 and x.done)
            errors[name] += len(results) - ok
            rates[name].append(ok / seconds)
    out = ratio(rates)
    out.update({"errors": errors, "rounds": rounds, "seconds": seconds})
    return out


async def open_streams(rig: Rig, count: int) -> dict:
    payload = body("hold " + directive(reply=" ".join(["x"] * 40), chunks=40, delay=1.0), stream=True)
    out = {"streams": count}
    for name in ("floor", "via"):
        pid, target = rig.workers[name], rig.targets[name]
        await run_count(target, body("warm"), 50)
        idle = proc_memory_kib(pid)
        held = await hold_streams(target, payload, count, lambda: proc_memory_kib(pid))
        during = held["measured"]
        await asyncio.sleep(2)
        after = proc_memory_kib(pid)
        out[name] = {"opened": held["opened"], "idle_kib": idle, "open_kib": during, "after_kib": after,
                     "per_stream_kib": (during["rss"] - idle["rss"]) / max(held["opened"], 1),
                     "per_stream_pss_kib": (during["pss"] - idle["pss"]) / max(held["opened"], 1)}
    return out


def group_commit(rig: Rig) -> dict:
    """How many request-path writes (reservations, settlements, log rows)
    each of the worker's transactions carried over the whole run, from its
    /metrics."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{rig.gateway.port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("tollgate_ledger_batches_total", "tollgate_ledger_batched_writes_total"):
            values[name] = float(value)
    batches = values.get("tollgate_ledger_batches_total", 0)
    writes = values.get("tollgate_ledger_batched_writes_total", 0)
    return {"transactions": batches, "writes": writes, "writes_per_transaction": writes / batches if batches else 0}


def report(results: dict) -> str:
    lat, thr, tt, mem = results["latency_c1"], results["throughput_c32"], results["ttft"], results["open_streams"]
    s16, burst = results["streams_c16"], results["burst_500"]

    def ms(fig: dict, name: str) -> str:
        value, iqr = fig[name]
        return f"{value:.2f} ms (IQR {iqr:.2f})"

    def row(metric: str, fig: dict, added: bool = True) -> str:
        """Latency: each target's own figure; floor and Tollgate also as
        added over direct; the last column Tollgate minus the floor."""
        cells = [ms(fig, "direct")]
        for name in ("floor", "via"):
            cell = ms(fig, name)
            if added:
                cell += f"; +{fig[name + '_minus_direct'][0]:.2f} over direct"
            cells.append(cell)
        cells.append(f"**{fig['via_minus_floor'][0]:+.2f} ms** (IQR {fig['via_minus_floor'][1]:.2f})")
        return f"| {metric} | " + " | ".join(cells) + " |"

    def rate_row(metric: str, fig: dict, errors: dict, unit: str) -> str:
        cells = [f"{fig[n][0]:.0f} {unit} (IQR {fig[n][1]:.0f}); {errors[n]} errors" for n in NAMES]
        cells.append(f"**{fig['via_over_floor'][0]:.2f}×** the floor (IQR {fig['via_over_floor'][1]:.2f})")
        return f"| {metric} | " + " | ".join(cells) + " |"

    cpu = thr["cpu_ms_per_request"]
    mf, mv = mem["floor"], mem["via"]
    lines = [
        f"Run {results['when']} ({results['command']}), {CPUS} CPUs; floor and Tollgate each one gevent "
        f"worker pinned to CPU 0, fake upstream and client on CPU 1; database: {results.get('database', 'sqlite')}.",
        "",
        "| metric | direct | floor | Tollgate | Tollgate − floor (latency) or ÷ floor (rate) |",
        "|---|---|---|---|---|",
        row("latency p50, c=1, non-stream", lat["p50_ms"]),
        row("latency p99, c=1, non-stream", lat["p99_ms"]),
        rate_row("requests/s, c=32, 1 worker", thr, thr["errors"], "req/s"),
        f"| worker CPU per request, c=32 | – | {cpu['floor'][0]:.2f} ms | {cpu['via'][0]:.2f} ms | "
        f"**{cpu['via_minus_floor'][0]:+.2f} ms** |",
        row("time to first token, 20-chunk stream, c=1", tt["ttft_ms"]),
        row("whole 20-chunk stream, c=1", tt["total_ms"]),
        f"| frames per stream | {tt['frames']['direct']} | {tt['frames']['floor']} | {tt['frames']['via']} | |",
        rate_row("streams/s, 16 clients streaming back to back", s16, s16["errors"], "streams/s"),
        row(f"{burst['streams']} streams opened within 1 s: time to first token p50", burst["ttft_p50_ms"]),
        row(f"{burst['streams']} streams opened within 1 s: time to first token p99", burst["ttft_p99_ms"]),
        f"| {burst['streams']} streams opened within 1 s: failed streams, all rounds | "
        + " | ".join(str(burst["errors"][n]) for n in NAMES) + " | |",
        f"| memory, {mem['streams']} open streams, 1 worker | – | {mf['opened']} open; "
        f"{mf['per_stream_kib']:.1f} KiB RSS per stream; worker {mf['idle_kib']['rss'] / 1024:.1f} MiB idle, "
        f"{mf['open_kib']['rss'] / 1024:.1f} MiB open | {mv['opened']} open; {mv['per_stream_kib']:.1f} KiB RSS "
        f"per stream ({mv['per_stream_pss_kib']:.1f} PSS); worker {mv['idle_kib']['rss'] / 1024:.1f} MiB idle, "
        f"{mv['open_kib']['rss'] / 1024:.1f} MiB open, {mv['after_kib']['rss'] / 1024:.1f} MiB after | "
        f"**{mv['per_stream_kib'] - mf['per_stream_kib']:+.1f} KiB** per stream |",
    ]
    many = results.get("many_accounts")
    if many:
        lines.insert(lines.index(rate_row("requests/s, c=32, 1 worker", thr, thr["errors"], "req/s")) + 1,
                     f"| requests/s, c=32, {many['accounts']} accounts (a key each): 1 worker / 4 workers | – | – | "
                     f"{many['one_worker'][0]:.0f} (IQR {many['one_worker'][1]:.0f}) / "
                     f"{many['four_workers'][0]:.0f} (IQR {many['four_workers'][1]:.0f}) req/s; "
                     f"{many['errors']['one_worker']} / {many['errors']['four_workers']} errors | |")
    gc = results.get("group_commit")
    if gc:
        lines += ["", f"Group commit over the run: {gc['writes']:.0f} request-path writes in "
                      f"{gc['transactions']:.0f} transactions, {gc['writes_per_transaction']:.2f} per transaction."]
    return "\n".join(lines)


async def main_async(args) -> dict:
    rig = Rig(postgres=args.postgres)
    try:
        results = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "command": "python -m bench.run" + (" --quick" if args.quick else f" --rounds {args.rounds}")
                       + (" --postgres" if args.postgres else ""),
            "database": "postgresql" if args.postgres else "sqlite",
            "latency_c1": await latency_c1(rig, args.rounds, 100 if args.quick else 400),
            "throughput_c32": await throughput_c32(rig, max(2, args.rounds // 2), 2.0 if args.quick else 5.0),
            "many_accounts": await many_accounts(rig, max(2, args.rounds // 2), 2.0 if args.quick else 5.0),
            "ttft": await ttft_stream(rig, args.rounds, 10 if args.quick else 30),
            "streams_c16": await streams_c16(rig, max(2, args.rounds // 2), 2.0 if args.quick else 5.0),
            "burst_500": await burst_500(rig, max(2, args.rounds // 2) if args.quick else args.rounds, 500),
            "open_streams": await open_streams(rig, 200 if args.quick else 1000),
        }
        try:
            results["group_commit"] = group_commit(rig)
        except OSError as exc:
            print(f"group commit figures unavailable: {exc}", file=sys.stderr)
    finally:
        rig.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer requests, 200 streams (a smoke run)")
    parser.add_argument("--postgres", action="store_true",
                        help="measure on a fresh database on the local PostgreSQL (TEST_POSTGRES_URL) "
                             "instead of a SQLite file")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 3
    results = asyncio.run(main_async(args))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps(results, indent=2))
    print(report(results))
    print(f"\n(raw results: {out})", file=sys.stderr)


if __name__ == "__main__":
    main()

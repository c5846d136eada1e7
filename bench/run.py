"""Tollgate against direct calls to the same fake upstream, interleaved in one
run. Gateway pinned to CPU 0; the fake upstream and this load client to CPU 1.

    .venv/bin/python -m bench.run [--rounds N] [--quick] [--postgres]

Measures (the method is in docs/benchmarks.md): added latency p50/p99 at concurrency 1
(non-stream), requests per second at concurrency 32 with one worker, time to
first token overhead for a 20-chunk stream, and memory per open stream with
1,000 concurrent streams. Prints a Markdown report and writes JSON to
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

from bench.loadgen import Target, hold_streams, run_closed_loop, run_count  # noqa: E402
from tests.fakes.upstream_client import FakeUpstream, directive  # noqa: E402
from tests.support.servers import GunicornServer  # noqa: E402
from tests.support.stack import make_app, migrate, server_env  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
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
        env = server_env(db_url, self.tmp, KEY_CACHE_TTL="3", CATALOG_CACHE_TTL="3", LOG_LEVEL="WARNING")
        self.gateway = GunicornServer(env, workers=1, name="bench", access_log=False,
                                      extra_args=("--worker-connections", "1200"), preexec_fn=pin(0))
        self.worker = self.gateway.worker_pids()[0]
        port = int(self.gateway.url.rsplit(":", 1)[1])
        self.via = Target("127.0.0.1", port, "/v1/chat/completions", {"Authorization": f"Bearer {self.key}"})
        self.direct = Target("127.0.0.1", self.fake.port, "/v1/chat/completions",
                             {"Authorization": "Bearer sk-upstream"})

    def stop(self):
        self.gateway.stop()
        self.fake.stop()
        if self.pg is not None:
            self.pg.drop()


def body(text: str, stream: bool = False) -> bytes:
    payload = {"model": "bench-model", "max_tokens": 16, "messages": [{"role": "user", "content": text}]}
    if stream:
        payload["stream"] = True
    return json.dumps(payload).encode()


async def latency_c1(rig: Rig, rounds: int, per_round: int) -> dict:
    payload = body("hello " + directive(reply="hi there", chunks=2))
    await run_count(rig.direct, payload, 100)
    await run_count(rig.via, payload, 100)
    p50s, p99s, direct50, via50 = [], [], [], []
    for r in range(rounds):
        order = [("direct", rig.direct), ("via", rig.via)]
        if r % 2:
            order.reverse()
        got = {}
        for name, target in order:
            results = await run_count(target, payload, per_round)
            assert all(x.status == 200 for x in results), f"{name}: non-200 answers"
            got[name] = [x.latency * 1000 for x in results]
        p50s.append(pct(got["via"], 0.5) - pct(got["direct"], 0.5))
        p99s.append(pct(got["via"], 0.99) - pct(got["direct"], 0.99))
        direct50.append(pct(got["direct"], 0.5))
        via50.append(pct(got["via"], 0.5))
    return {"added_p50_ms": median_iqr(p50s), "added_p99_ms": median_iqr(p99s),
            "direct_p50_ms": statistics.median(direct50), "via_p50_ms": statistics.median(via50),
            "rounds": rounds, "requests_per_round": per_round}


async def throughput_c32(rig: Rig, rounds: int, seconds: float) -> dict:
    payload = body("hello " + directive(reply="hi there", chunks=2))
    await run_closed_loop(rig.via, payload, 32, 1.0)
    direct, via, cpu_ms, errors = [], [], [], 0
    for r in range(rounds):
        for name in (("direct", "via") if r % 2 == 0 else ("via", "direct")):
            target = rig.direct if name == "direct" else rig.via
            cpu0 = proc_cpu_seconds(rig.worker)
            results = await run_closed_loop(target, payload, 32, seconds)
            ok = sum(1 for x in results if x.status == 200)
            errors += len(results) - ok
            (direct if name == "direct" else via).append(ok / seconds)
            if name == "via":
                cpu_ms.append((proc_cpu_seconds(rig.worker) - cpu0) * 1000 / max(ok, 1))
    return {"direct_rps": median_iqr(direct), "via_rps": median_iqr(via),
            "gateway_cpu_ms_per_request": statistics.median(cpu_ms), "errors": errors,
            "rounds": rounds, "seconds": seconds}


async def ttft_stream(rig: Rig, rounds: int, per_round: int) -> dict:
    payload = body("stream " + directive(reply=" ".join(f"t{i}" for i in range(20)), chunks=20, delay=0.005),
                   stream=True)
    await run_count(rig.via, payload, 10, stream=True)
    added_ttft, added_total, frames = [], [], set()
    for r in range(rounds):
        got = {}
        for name, target in (("direct", rig.direct), ("via", rig.via))[:: 1 if r % 2 == 0 else -1]:
            results = await run_count(target, payload, per_round, stream=True)
            got[name] = results
            if name == "via":
                frames.update(x.frames for x in results)
        added_ttft.append(statistics.median(x.first_token for x in got["via"]) * 1000
                          - statistics.median(x.first_token for x in got["direct"]) * 1000)
        added_total.append(statistics.median(x.latency for x in got["via"]) * 1000
                           - statistics.median(x.latency for x in got["direct"]) * 1000)
    return {"added_ttft_ms": median_iqr(added_ttft), "added_total_ms": median_iqr(added_total),
            "frames_seen_via": sorted(frames), "rounds": rounds, "streams_per_round": per_round}


async def streams_c16(rig: Rig, rounds: int, seconds: float) -> dict:
    """16 clients streaming 20-chunk answers back to back on kept-alive
    connections: every stream must end with [DONE] (a pooled upstream
    connection handed on unfinished used to fail a few percent of them)."""
    payload = body("stream " + directive(reply=" ".join(f"t{i}" for i in range(20)), chunks=20), stream=True)
    rates = {"direct": [], "via": []}
    errors = {"direct": 0, "via": 0}
    for r in range(rounds):
        for name in (("direct", "via") if r % 2 == 0 else ("via", "direct")):
            target = rig.direct if name == "direct" else rig.via
            results = await run_closed_loop(target, payload, 16, seconds, stream=True)
            ok = sum(1 for x in results if x.status == 200 and x.done)
            errors[name] += len(results) - ok
            rates[name].append(ok / seconds)
    return {"direct_sps": median_iqr(rates["direct"]), "via_sps": median_iqr(rates["via"]),
            "errors": errors, "rounds": rounds, "seconds": seconds}


async def open_streams(rig: Rig, count: int) -> dict:
    payload = body("hold " + directive(reply=" ".join(["x"] * 40), chunks=40, delay=1.0), stream=True)
    await run_count(rig.via, body("warm"), 50)
    idle = proc_memory_kib(rig.worker)
    held = await hold_streams(rig.via, payload, count, lambda: proc_memory_kib(rig.worker))
    during = held["measured"]
    await asyncio.sleep(2)
    after = proc_memory_kib(rig.worker)
    return {"streams": count, "opened": held["opened"], "idle_kib": idle, "open_kib": during, "after_kib": after,
            "per_stream_kib": (during["rss"] - idle["rss"]) / max(held["opened"], 1),
            "per_stream_pss_kib": (during["pss"] - idle["pss"]) / max(held["opened"], 1)}


def report(results: dict) -> str:
    lat, thr, tt, mem = results["latency_c1"], results["throughput_c32"], results["ttft"], results["open_streams"]
    s16 = results["streams_c16"]
    lines = [
        f"Run {results['when']} ({results['command']}), {CPUS} CPUs; gateway pinned to CPU 0, "
        f"fake upstream and client to CPU 1; database: {results.get('database', 'sqlite')}.",
        "",
        "| metric | result |",
        "|---|---|",
        f"| added latency p50, c=1, non-stream | {lat['added_p50_ms'][0]:.2f} ms (IQR {lat['added_p50_ms'][1]:.2f}); "
        f"direct {lat['direct_p50_ms']:.2f} ms, via Tollgate {lat['via_p50_ms']:.2f} ms |",
        f"| added latency p99, c=1, non-stream | {lat['added_p99_ms'][0]:.2f} ms (IQR {lat['added_p99_ms'][1]:.2f}) |",
        f"| requests/s, c=32, 1 worker | {thr['via_rps'][0]:.0f} via Tollgate (IQR {thr['via_rps'][1]:.0f}); "
        f"direct {thr['direct_rps'][0]:.0f}; {thr['errors']} errors |",
        f"| gateway CPU per request | {thr['gateway_cpu_ms_per_request']:.2f} ms |",
        f"| added time to first token, 20-chunk stream | {tt['added_ttft_ms'][0]:.2f} ms "
        f"(IQR {tt['added_ttft_ms'][1]:.2f}); whole stream +{tt['added_total_ms'][0]:.2f} ms; "
        f"frames per stream via Tollgate: {tt['frames_seen_via']} |",
        f"| streams/s, 16 clients streaming back to back | {s16['via_sps'][0]:.0f} via Tollgate "
        f"(IQR {s16['via_sps'][1]:.0f}); direct {s16['direct_sps'][0]:.0f}; errors: "
        f"{s16['errors']['via']} via Tollgate, {s16['errors']['direct']} direct |",
        f"| memory, {mem['streams']} open streams, 1 worker | {mem['opened']} open; "
        f"{mem['per_stream_kib']:.1f} KiB RSS per stream ({mem['per_stream_pss_kib']:.1f} KiB PSS); "
        f"worker RSS {mem['idle_kib']['rss'] / 1024:.1f} MiB idle, {mem['open_kib']['rss'] / 1024:.1f} MiB open, "
        f"{mem['after_kib']['rss'] / 1024:.1f} MiB after |",
    ]
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
            "ttft": await ttft_stream(rig, args.rounds, 10 if args.quick else 30),
            "streams_c16": await streams_c16(rig, max(2, args.rounds // 2), 2.0 if args.quick else 5.0),
            "open_streams": await open_streams(rig, 200 if args.quick else 1000),
        }
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

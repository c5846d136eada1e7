"""This checkout against an earlier commit, in one rig: the floor, Tollgate
as checked out here, and Tollgate at REV (a git worktree made for the run),
each one gevent worker pinned to CPU 0, on the same fake upstream, measured
in interleaved rounds so a slow moment of the shared machine hits all three.
REV gets a database of its own, created and seeded by its own code.

    .venv/bin/python -m bench.ab REV [--rounds 5] [--env K=V ...]
    .venv/bin/python -m bench.ab HEAD --env STREAM_PING_SECONDS=0   # what a setting costs

Prints, per target, the medians over the rounds of the latency p50 at c=1
(400 calls a round), the worker's CPU per request at c=1 and at c=32,
requests/s at c=32 (4 s a round), the time to first token of a 20-chunk
stream (30 a round), the worker's CPU per such stream with 16 clients
streaming back to back (3 s a round) and the first token's p50 when 500
streams open within one second; then each Tollgate against the floor.

The burst's figure swings by a factor of two from round to round on a
shared machine; the CPU per stream, which decides when the one worker
saturates, moves by a few percent, so it shows a change to the stream path
that the burst cannot. `--env K=V` (repeatable) starts REV's server with
that setting, so REV=HEAD measures a setting against the default.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from bench.loadgen import Target, burst_streams, run_closed_loop, run_count
from bench.run import STREAM_20, Rig, body, pct, pin, proc_cpu_seconds
from tests.fakes.upstream_client import directive
from tests.support import servers, stack

# Run with REV's code: create and seed its database as bench.run's Rig does,
# print the key. Written out here, since REV may predate any shared helper.
SEED = """
import sys
from tests.support import stack
stack.SECRET_KEY = sys.argv[3]
app = stack.make_app(sys.argv[1])
stack.migrate(app)
with app.app_context():
    from services.billing import accounts
    from services.catalog.channels import add_channel
    from services.catalog.models import set_model
    from services.identity.keys import create_key
    set_model("bench-model", max_output_tokens=64, input_price=1_000_000, output_price=2_000_000)
    add_channel("fake", "openai", sys.argv[2], "sk-upstream", ["bench-model"])
    account = accounts.create_account("bench")
    accounts.grant(account.id, 10**15)
    print(create_key(account.id, "bench", rpm=10**8)[1])
"""


def start_rev(rig: Rig, tree: str, env: dict) -> tuple[servers.GunicornServer, str]:
    db_url = f"sqlite:///{rig.tmp}/rev.db"
    seed_env = {**os.environ, "PYTHONPATH": tree, "TOLLGATE_ENV": "testing", "TOLLGATE_INSTANCE_DIR": rig.tmp}
    key = subprocess.check_output([sys.executable, "-c", SEED, db_url, rig.fake.base_url_v1, stack.SECRET_KEY],
                                  cwd=tree, env=seed_env, stderr=subprocess.DEVNULL, text=True).split()[-1]
    server_env = stack.server_env(db_url, rig.tmp, KEY_CACHE_TTL="3", CATALOG_CACHE_TTL="3", LOG_LEVEL="WARNING",
                                  **env)
    server = servers.GunicornServer({**server_env, "PYTHONPATH": tree}, workers=1, name="bench-rev",
                                    access_log=False, extra_args=("--worker-connections", "1200"),
                                    preexec_fn=pin(0), cwd=tree)
    return server, key


async def measure(targets: dict[str, Target], pids: dict[str, int], rounds: int) -> dict:
    payload = body("hello " + directive(reply="hi there", chunks=2))
    for target in targets.values():  # warm: caches, pooled connections
        await run_closed_loop(target, payload, 32, 1.0)
        await run_count(target, payload, 100)
    stream = body(STREAM_20, stream=True)
    for target in targets.values():
        await run_count(target, stream, 10, stream=True)
    figures = {name: {"p50_ms": [], "cpu_c1_ms": [], "rps_c32": [], "cpu_c32_ms": [], "ttft_ms": [],
                      "cpu_stream_ms": [], "burst_p50_ms": []} for name in targets}
    for r in range(rounds):
        names = list(targets) if r % 2 == 0 else list(targets)[::-1]
        for name in names:
            cpu = proc_cpu_seconds(pids[name])
            results = await run_count(targets[name], payload, 400)
            assert all(x.status == 200 for x in results), f"{name}: non-200 answers"
            figures[name]["cpu_c1_ms"].append((proc_cpu_seconds(pids[name]) - cpu) * 1000 / len(results))
            figures[name]["p50_ms"].append(pct([x.latency * 1000 for x in results], 0.5))
        for name in names:
            cpu = proc_cpu_seconds(pids[name])
            results = await run_closed_loop(targets[name], payload, 32, 4.0)
            ok = sum(1 for x in results if x.status == 200)
            figures[name]["rps_c32"].append(ok / 4.0)
            figures[name]["cpu_c32_ms"].append((proc_cpu_seconds(pids[name]) - cpu) * 1000 / max(ok, 1))
        for name in names:
            results = await run_count(targets[name], stream, 30, stream=True)
            figures[name]["ttft_ms"].append(statistics.median(x.first_token for x in results) * 1000)
        for name in names:
            cpu = proc_cpu_seconds(pids[name])
            results = await run_closed_loop(targets[name], stream, 16, 3.0, stream=True)
            ok = sum(1 for x in results if x.status == 200 and x.done)
            figures[name]["cpu_stream_ms"].append((proc_cpu_seconds(pids[name]) - cpu) * 1000 / max(ok, 1))
        for name in names:
            results = await burst_streams(targets[name], stream, 500, 1.0)
            good = [x.first_token * 1000 for x in results if x.status == 200 and x.done and x.first_token]
            figures[name]["burst_p50_ms"].append(pct(good, 0.5) if good else float("nan"))
            await asyncio.sleep(0.5)  # the closed connections settle between targets
    return figures


def report(figures: dict, rev: str, rounds: int) -> str:
    med = statistics.median
    out = [f"{rounds} interleaved rounds; medians over rounds", "",
           "| target | latency p50, c=1 | CPU per request, c=1 | requests/s, c=32 | CPU per request, c=32 "
           "| time to first token | CPU per stream | 500 streams in 1 s: first token p50 |",
           "|---|---|---|---|---|---|---|---|"]
    labels = {"floor": "floor", "here": "Tollgate (this checkout)", "rev": f"Tollgate ({rev})"}
    for name, f in figures.items():
        out.append(f"| {labels[name]} | {med(f['p50_ms']):.2f} ms | {med(f['cpu_c1_ms']):.2f} ms | "
                   f"{med(f['rps_c32']):.0f} | {med(f['cpu_c32_ms']):.2f} ms | {med(f['ttft_ms']):.2f} ms | "
                   f"{med(f['cpu_stream_ms']):.2f} ms | {med(f['burst_p50_ms']):.0f} ms |")
    out += ["", "| against the floor | p50 − floor | c=32 ÷ floor | CPU per request, c=32, − floor "
            "| first token − floor | CPU per stream − floor | burst first token p50 − floor |",
            "|---|---|---|---|---|---|---|"]
    floor = figures["floor"]
    for name in ("here", "rev"):
        f = figures[name]
        out.append(f"| {labels[name]} | {med([a - b for a, b in zip(f['p50_ms'], floor['p50_ms'])]):+.2f} ms | "
                   f"{med([a / b for a, b in zip(f['rps_c32'], floor['rps_c32'])]):.2f}× | "
                   f"{med([a - b for a, b in zip(f['cpu_c32_ms'], floor['cpu_c32_ms'])]):+.2f} ms | "
                   f"{med([a - b for a, b in zip(f['ttft_ms'], floor['ttft_ms'])]):+.2f} ms | "
                   f"{med([a - b for a, b in zip(f['cpu_stream_ms'], floor['cpu_stream_ms'])]):+.2f} ms | "
                   f"{med([a - b for a, b in zip(f['burst_p50_ms'], floor['burst_p50_ms'])]):+.0f} ms |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the commit to compare with (anything git rev-parse takes)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--env", action="append", default=[], metavar="K=V",
                        help="a setting for REV's server (repeatable)")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    tree = tempfile.mkdtemp(prefix="tollgate-ab-")
    subprocess.run(["git", "worktree", "add", "--detach", "-f", tree, args.rev], cwd=servers.REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rig = server = None
    try:
        rig = Rig()
        server, key = start_rev(rig, tree, env)
        targets = {"floor": rig.targets["floor"], "here": rig.targets["via"],
                   "rev": Target("127.0.0.1", server.port, "/v1/chat/completions", {"Authorization": f"Bearer {key}"})}
        pids = {"floor": rig.workers["floor"], "here": rig.workers["via"], "rev": server.worker_pids()[0]}
        figures = asyncio.run(measure(targets, pids, args.rounds))
    finally:
        if server is not None:
            server.stop()
        if rig is not None:
            rig.stop()
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=servers.REPO, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tree, ignore_errors=True)
    print(report(figures, args.rev + "".join(f" {k}={v}" for k, v in env.items()), args.rounds))


if __name__ == "__main__":
    main()

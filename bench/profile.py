"""Where Tollgate's worker spends its time on /v1/chat/completions: the
bench rig (cache TTLs of 3 s, as in production), c=32 non-stream load (or
the concurrency given), and py-spy sampling the one worker.

    pip install --target /tmp/pyspy py-spy
    .venv/bin/python -m bench.profile [--py-spy /tmp/pyspy/bin/py-spy] [--seconds 15] [--stream] [--postgres] [--concurrency 1]

Prints the share of samples under each part of the path (a sample counts
for every part on its stack, so shares overlap) and the top functions by
own time; writes the collapsed stacks to bench/results/.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import time

from bench.run import RESULTS, STREAM_20, Rig, body
from bench.loadgen import run_closed_loop
from tests.fakes.upstream_client import directive

# (label, substring of a frame "function (file:line)") checked in order.
PARTS = [
    ("werkzeug request parsing/response writing", "werkzeug/"),
    ("gevent pywsgi (socket, HTTP framing)", "gevent/pywsgi"),
    ("Flask dispatch and hooks", "flask/app.py"),
    ("flask-limiter", "flask_limiter/"),
    ("limits storage", "limits/"),
    ("flask-login user load", "flask_login/"),
    ("Flask session open/save", "flask/sessions.py"),
    ("CSRF check", "flask_wtf/"),
    ("SQLAlchemy", "sqlalchemy/"),
    ("sqlite3 driver", "sqlite3"),
    ("key lookup (services/identity)", "services/identity/"),
    ("billing (reserve, settle)", "services/billing/"),
    ("request log", "services/logs"),
    ("metrics (prometheus)", "prometheus_client/"),
    ("relay call/run", "services/relay/"),
    ("urllib3 upstream call", "urllib3/"),
    ("json", "json/"),
    ("logging", "logging/"),
    ("i18n / babel", "babel"),
]


def summarize(path: str, top: int = 25) -> str:
    total = 0
    parts = collections.Counter()
    own = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for label, needle in PARTS:
            if any(needle in f for f in frames):
                parts[label] += n
        if frames:
            own[frames[-1]] += n
    out = [f"{total} samples", "", "| part of the path | share of samples |", "|---|---|"]
    out += [f"| {label} | {100 * n / total:.1f}% |" for label, n in parts.most_common()]
    out += ["", "top functions by own time:"]
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(out)


async def load(rig: Rig, seconds: float, stream: bool, concurrency: int = 32) -> int:
    payload = (body(STREAM_20, stream=True) if stream
               else body("hello " + directive(reply="hi there", chunks=2)))
    results = await run_closed_loop(rig.targets["via"], payload, concurrency, seconds, stream=stream)
    return sum(1 for x in results if x.status == 200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", default="/tmp/pyspy/bin/py-spy")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--stream", action="store_true", help="20-chunk streams instead of non-stream calls")
    parser.add_argument("--postgres", action="store_true", help="the rig on a fresh PostgreSQL database")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="clients in the closed loop (1: no two requests share a batch)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / time.strftime("profile-%Y%m%d-%H%M%S.txt")
    rig = Rig(postgres=args.postgres)
    try:
        asyncio.run(load(rig, 2.0, args.stream))  # warm: caches filled, pool connections open
        env = {**os.environ, "PYTHONPATH": "/tmp/pyspy"}
        spy = subprocess.Popen([args.py_spy, "record", "-p", str(rig.workers["via"]), "-d", str(int(args.seconds)),
                                "-r", "250", "-f", "raw", "-o", str(out), "--nonblocking"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        ok = asyncio.run(load(rig, args.seconds, args.stream, args.concurrency))
        spy.wait(timeout=60)
        if spy.returncode:
            sys.exit(spy.stderr.read().decode())
    finally:
        rig.stop()
    print(f"{ok} requests answered 200 in {args.seconds:.0f} s under the profiler\n")
    print(summarize(str(out)))
    print(f"\n(collapsed stacks: {out})", file=sys.stderr)


if __name__ == "__main__":
    main()

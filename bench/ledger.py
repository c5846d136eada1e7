"""What the books cost per request, in process: `ledger.reserve` and
`ledger.settle` (with its request-log row) called back to back on a freshly
migrated database, each its own transaction, as at concurrency 1 where no
two requests share a batch. No HTTP, no Flask request: the SQL, the driver
and the commits alone.

    .venv/bin/python -m bench.ledger [--calls 3000] [--repeats 5] [--postgres]

Prints, per repeat, the wall time per reservation and per settlement in
microseconds, and the median over the repeats.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TOLLGATE_ENV", "testing")
os.environ.setdefault("TOLLGATE_INSTANCE_DIR", tempfile.mkdtemp(prefix="tollgate-ledger-"))

from services.ids import sortable_id  # noqa: E402
from tests.support.stack import make_app, migrate  # noqa: E402


def measure(calls: int, repeats: int, db_url: str) -> list[tuple[float, float]]:
    app = make_app(db_url)
    migrate(app)
    out = []
    with app.app_context():
        from services.billing import accounts, ledger
        from services.identity.keys import create_key

        account = accounts.create_account("bench")
        accounts.grant(account.id, 10**15)
        key, _raw = create_key(account.id, "bench")
        log = {"account_id": account.id, "key_id": key.id, "door": "chat", "model": "bench-model",
               "status": 200, "prompt_tokens": 12, "completion_tokens": 3}
        for r in range(repeats + 1):  # the first is a warm-up
            ids = [sortable_id("req_") for _ in range(calls)]  # as the app makes them
            start = time.perf_counter()
            for request_id in ids:
                ledger.reserve(account.id, key.id, 1000, request_id)
            reserved = time.perf_counter()
            for request_id in ids:
                ledger.settle(account.id, key.id, 1000, 300, request_id, log | {"request_id": request_id})
            settled = time.perf_counter()
            if r:
                out.append(((reserved - start) / calls * 1e6, (settled - reserved) / calls * 1e6))
        problems = ledger.verify()
        if problems:
            raise SystemExit("; ".join(p.describe() for p in problems))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="a fresh database on the local PostgreSQL")
    args = parser.parse_args()
    pg = None
    if args.postgres:
        from tests.support.databases import PostgresDatabase

        pg = PostgresDatabase()
        db_url = pg.url
    else:
        db_url = f"sqlite:///{tempfile.mkdtemp(prefix='tollgate-ledger-')}/ledger.db"
    try:
        rounds = measure(args.calls, args.repeats, db_url)
    finally:
        if pg is not None:
            pg.drop()
    for reserve_us, settle_us in rounds:
        print(f"reserve {reserve_us:7.1f} µs   settle {settle_us:7.1f} µs")
    print(f"median: reserve {statistics.median(r for r, _ in rounds):.1f} µs, "
          f"settle {statistics.median(s for _, s in rounds):.1f} µs "
          f"({args.repeats} repeats of {args.calls} calls, {'postgresql' if pg else 'sqlite'})")


if __name__ == "__main__":
    main()

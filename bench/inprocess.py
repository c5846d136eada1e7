"""CPU per request in process: Tollgate's app and the floor's (bench/floor.py)
called through Flask's test client, no gunicorn and no client sockets, so
the figure is what the app itself spends per call, with little of the
network's and the load generator's noise. The upstream is still the fake
upstream process over loopback (its own CPU is not counted).

    .venv/bin/python -m bench.inprocess [--calls 2000] [--repeats 5]

Prints, per target, the median over the repeats of process CPU time per
call (user + system of this process) and the spread, as Markdown.
"""
from gevent import monkey

monkey.patch_all()  # as in the gunicorn worker; bench.floor patches on import anyway

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("TOLLGATE_ENV", "testing")
os.environ.setdefault("TOLLGATE_INSTANCE_DIR", tempfile.mkdtemp(prefix="tollgate-inprocess-"))

import orjson  # noqa: E402

from tests.fakes.upstream_client import FakeUpstream, directive  # noqa: E402
from tests.support.stack import make_app, migrate  # noqa: E402

CHAT = orjson.dumps({"model": "bench-model", "max_tokens": 16,
                     "messages": [{"role": "user", "content": "hello " + directive(reply="hi there", chunks=2)}]})


def tollgate(upstream_v1: str, tmp: str):
    # Production cache TTLs (3 s), as bench.profile uses.
    app = make_app(f"sqlite:///{tmp}/inprocess.db", KEY_CACHE_TTL=3.0, CATALOG_CACHE_TTL=3.0, BREAKER_ENABLED=False)
    migrate(app)
    with app.app_context():
        from services.billing import accounts
        from services.catalog.channels import add_channel
        from services.catalog.models import set_model
        from services.identity.keys import create_key

        set_model("bench-model", max_output_tokens=64, input_price=1_000_000, output_price=2_000_000)
        add_channel("fake", "openai", upstream_v1, "sk-upstream", ["bench-model"])
        account = accounts.create_account("bench")
        accounts.grant(account.id, 10**15)
        _key, raw = create_key(account.id, "bench", rpm=10**8)
    return app, {"Authorization": f"Bearer {raw}"}


def per_call(client, method: str, path: str, headers: dict, data: bytes | None, calls: int) -> float:
    """Process CPU seconds per call, over `calls` calls."""
    start = time.process_time()
    for _ in range(calls):
        response = client.open(path, method=method, headers=headers, data=data, content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.get_data()[:300]!r}")
        response.close()
    return (time.process_time() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    fake = FakeUpstream().start()
    try:
        from bench.floor import create_app as floor_app

        app, auth = tollgate(fake.base_url_v1, tempfile.mkdtemp(prefix="tollgate-inprocess-"))
        cases = [
            ("floor, POST /v1/chat/completions", floor_app(fake.base_url_v1).test_client(), "POST",
             "/v1/chat/completions", {}, CHAT),
            ("Tollgate, POST /v1/chat/completions", app.test_client(), "POST", "/v1/chat/completions", auth, CHAT),
            ("Tollgate, GET /v1/models", app.test_client(), "GET", "/v1/models", auth, None),
        ]
        for _label, client, method, path, headers, data in cases:  # warm: caches, pooled connections
            per_call(client, method, path, headers, data, 50)
        samples: dict[str, list[float]] = {label: [] for label, *_ in cases}
        for _ in range(args.repeats):  # interleaved, so a busy moment hits every target alike
            for label, client, method, path, headers, data in cases:
                samples[label].append(per_call(client, method, path, headers, data, args.calls))
    finally:
        fake.stop()
    print(f"{args.repeats} repeats of {args.calls} calls each, interleaved\n")
    print("| target | CPU per call (median) | min – max |")
    print("|---|---|---|")
    for label, values in samples.items():
        ms = [v * 1000 for v in values]
        print(f"| {label} | {statistics.median(ms):.3f} ms | {min(ms):.3f} – {max(ms):.3f} |")


if __name__ == "__main__":
    main()

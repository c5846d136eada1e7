"""psycopg's waits on gevent's watchers (wsgi.py installs them), in a child
process: gevent's patching cannot be undone inside the test process."""
import subprocess
import sys
import textwrap

import pytest

from config import BASE_DIR
from tests.support.databases import PG_ADMIN_URL, postgres_unavailable

pytestmark = pytest.mark.postgres

SCRIPT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import sys, time
    import gevent, psycopg
    from services import psycopg_gevent
    psycopg_gevent.install()
    url = sys.argv[1]

    def slow(n):
        with psycopg.connect(url) as conn:
            conn.execute("SELECT pg_sleep(0.5)")
            with conn.pipeline():
                cursors = [conn.execute("SELECT %s::int * 2", (i,)) for i in range(40)]
            return n, sum(c.fetchone()[0] for c in cursors)

    started = time.monotonic()
    jobs = [gevent.spawn(slow, n) for n in range(8)]
    gevent.joinall(jobs, raise_error=True)
    print("together", round(time.monotonic() - started, 2), sorted(j.value for j in jobs))
    with psycopg.connect(url) as conn:
        big = "x" * 4_000_000  # more than a socket buffer: the pipeline waits to read and write
        with conn.pipeline():
            cursors = [conn.execute("SELECT length(%s)", (big,)) for _ in range(3)]
        print("big", [c.fetchone()[0] for c in cursors])
        conn.execute("SET statement_timeout = 100")
        try:
            conn.execute("SELECT pg_sleep(3)")
        except psycopg.errors.QueryCanceled:
            print("cancelled")
""")


def test_greenlets_wait_for_postgresql_side_by_side():
    if reason := postgres_unavailable():
        pytest.skip(reason)
    done = subprocess.run([sys.executable, "-c", SCRIPT, PG_ADMIN_URL], cwd=BASE_DIR, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    together = lines[0].split(" ", 2)
    assert float(together[1]) < 2.0  # eight 0.5 s sleeps overlapped, not 4 s in a row
    assert together[2] == str([(n, 2 * sum(range(40))) for n in range(8)])
    assert lines[1] == "big [4000000, 4000000, 4000000]"
    assert lines[2] == "cancelled"

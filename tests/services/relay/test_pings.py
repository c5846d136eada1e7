"""Keep-alive pings while the upstream is silent, under gevent (in a child
process: gevent's patching cannot be undone inside the test process)."""
import subprocess
import sys
import textwrap

from config import BASE_DIR
from services.relay.pings import with_pings

SCRIPT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import time
    import gevent
    from services.relay.pings import PING, with_pings

    def upstream(gaps, fail=False):
        for n, gap in enumerate(gaps):
            gevent.sleep(gap)
            yield n
        if fail:
            raise OSError("upstream reset")

    def seen(events):
        return ["ping" if e is PING else e for e in events]

    # silent 0.7 s, then quick events, then silent 0.5 s: a ping for each 0.2 s of silence only
    print(seen(with_pings(upstream([0.7, 0.01, 0.01, 0.5]), 0.2)))
    try:
        list(with_pings(upstream([0.01], fail=True), 0.1))
    except OSError as exc:
        print("raised", exc)
    # a client leaving mid-stream: the reader is stopped and no ping comes afterwards
    stream = with_pings(upstream([0.01, 5]), 0.05)
    print(next(stream))
    stream.close()
    started = time.monotonic()
    gevent.sleep(0.2)
    print("closed", round(time.monotonic() - started, 1))
""")


def test_pings_fill_the_silences_and_errors_pass_through():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=BASE_DIR, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert lines[0] == str(["ping", "ping", "ping", 0, 1, 2, "ping", "ping", 3])
    assert lines[1] == "raised upstream reset"
    assert lines[2] == "0"
    assert lines[3] == "closed 0.2"


def test_without_gevent_the_events_pass_straight_through():
    assert list(with_pings(iter([1, 2, 3]), 0.01)) == [1, 2, 3]

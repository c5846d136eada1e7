"""Test-side handle on a fake upstream process (see tests/fakes/upstream/README.md).

    with FakeUpstream() as fake:
        fake.configure(reply="hi")
        client = OpenAI(base_url=fake.base_url_v1, api_key="sk-test")
        ...
        assert fake.stats()["calls"] == 1
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from tests.support.servers import die_with_parent

REPO_ROOT = Path(__file__).resolve().parents[2]
PORT_PREFIX = "FAKE_UPSTREAM_PORT="


def directive(**behaviour) -> str:
    """The text ``[[fake {...}]]`` to embed in a message, e.g. ``directive(status=429, retry_after=2)``."""
    return "[[fake " + json.dumps(behaviour, separators=(",", ":")) + "]]"


class FakeUpstream:
    """Spawns ``python -m tests.fakes.fake_upstream --port 0`` and talks to its control API."""

    def __init__(self, host: str = "127.0.0.1", startup_timeout: float = 20.0, extra_args=()):
        self.host = host
        self.startup_timeout = startup_timeout
        self.extra_args = list(extra_args)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._stderr = None
        self._session = requests.Session()
        self._session.trust_env = False  # never route 127.0.0.1 through an environment proxy

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "FakeUpstream":
        if self.proc is not None:
            raise RuntimeError("fake upstream already started")
        self._stderr = tempfile.TemporaryFile()
        self._session = requests.Session()
        self._session.trust_env = False
        cmd = [sys.executable, "-m", "tests.fakes.fake_upstream", "--port", "0", "--host", self.host,
               *self.extra_args]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, cwd=str(REPO_ROOT), stdout=subprocess.PIPE, stderr=self._stderr,
                                     preexec_fn=die_with_parent(),
                                     stdin=subprocess.DEVNULL, env=env)
        line_box: list = []

        def read_line():
            line_box.append(self.proc.stdout.readline())

        reader = threading.Thread(target=read_line, daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        line = line_box[0].decode("utf-8", "replace").strip() if line_box else ""
        if not line.startswith(PORT_PREFIX):
            why = "exited" if self.proc.poll() is not None else f"no port line within {self.startup_timeout}s"
            err = self.stderr_text()
            self._kill()
            raise RuntimeError(f"fake upstream failed to start ({why}); stdout={line!r}\nstderr:\n{err}")
        self.port = int(line[len(PORT_PREFIX):])
        return self

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the process (SIGKILL after ``timeout``); returns its exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        self._cleanup()
        return proc.returncode

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._cleanup()

    def _cleanup(self):
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None
        self._session.close()

    def stderr_text(self) -> str:
        """What the server wrote to stderr so far (tracebacks, access log with --access-log)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def __enter__(self) -> "FakeUpstream":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("fake upstream not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url_v1(self) -> str:
        return self.url + "/v1"

    # ------------------------------------------------------------------ control API
    def _control(self, method: str, name: str, payload=None, params=None):
        r = self._session.request(method, f"{self.url}/_control/{name}", json=payload, params=params, timeout=10)
        if r.status_code != 200:
            raise RuntimeError(f"fake upstream control {name}: HTTP {r.status_code}: {r.text}")
        return r.json()

    def stats(self) -> dict:
        """``calls, by_path, by_model, in_flight, max_in_flight, aborted, completed, died, last_abort_at,
        connections`` (TCP connections accepted)."""
        return self._control("GET", "stats")

    def reset(self) -> None:
        """Zero the counters, forget recorded requests, drop configured defaults."""
        self._control("POST", "reset")

    def requests(self, limit: int | None = None) -> list:
        """Recorded requests, oldest first (the last 500)."""
        return self._control("GET", "requests", params={"limit": limit} if limit else None)

    def last_request(self) -> dict | None:
        return self._control("GET", "last")

    def configure(self, **defaults) -> dict:
        """Merge behaviour defaults / ``require_key`` / ``models`` / ``strict``; a None value removes a key."""
        return self._control("POST", "config", defaults)

    def config(self) -> dict:
        return self._control("GET", "config")

    def wait_for(self, predicate, timeout: float = 5.0, interval: float = 0.02) -> dict:
        """Poll ``stats()`` until ``predicate(stats)`` is true; returns the stats (raises on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.stats()
            if predicate(s):
                return s
            if time.monotonic() > deadline:
                raise AssertionError(f"fake upstream stats never matched within {timeout}s: {s}")
            time.sleep(interval)

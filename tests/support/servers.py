"""Real servers on loopback: Tollgate under gunicorn with gevent workers."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def die_with_parent(then=None):
    """preexec_fn: the child gets SIGTERM when the test process dies, so an
    interrupted run leaves no servers behind (Linux prctl PR_SET_PDEATHSIG)."""
    def apply():
        import ctypes

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
        except OSError:
            pass
        if then is not None:
            then()
    return apply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class GunicornServer:
    """`gunicorn --worker-class gevent wsgi:app` with the given environment
    (`app`: another WSGI callable, e.g. the benchmark's floor)."""

    def __init__(self, env: dict[str, str], workers: int = 1, name: str = "tollgate",
                 access_log: bool = True, extra_args: tuple = (), preexec_fn=None,
                 app: str = "wsgi:app", cwd: Path = REPO):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"{name}-{self.port}.log"
        self._log = open(self.log_path, "wb")
        cmd = [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", str(workers),
               "--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--graceful-timeout", "5",
               *(["--access-logfile", "-"] if access_log else []), *extra_args, app]
        self.proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, preexec_fn=die_with_parent(preexec_fn),
                                     stdout=self._log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/healthz", proc=self.proc)

    def worker_pids(self) -> list[int]:
        path = f"/proc/{self.proc.pid}/task/{self.proc.pid}/children"
        with open(path) as f:
            return [int(p) for p in f.read().split()]

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        # Quick shutdown: a test stops its server once nothing is in flight,
        # and gunicorn's graceful one waits out the worker's 1 s tick (0.8 s
        # more per server, dozens of servers a run).
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

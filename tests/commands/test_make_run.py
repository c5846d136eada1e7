"""`make run` as the README tells it, in development and in production: it
migrates, seeds the demo only in development, and serves on PORT."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fakes.fake_alipay import FakeAlipay
from tests.support.servers import ARTIFACTS, REPO, die_with_parent, free_port, wait_http

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")]

# Settings a developer's shell might carry into the test run; each test
# passes exactly what the README's command lines set.
CLEARED = ("TOLLGATE_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL", "PAYMENT_PROVIDER",
           "MAKEFLAGS", "MAKELEVEL", "MFLAGS")


def make_run(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    """`make run` with this test's virtualenv standing in for .venv. Its
    install step is marked done (-o): the environment running the tests is
    the installed one, and nothing is fetched here."""
    venv = Path(sys.prefix)
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k not in CLEARED and not k.startswith("ALIPAY_")}
    base.update(TOLLGATE_INSTANCE_DIR=str(tmp_path / "instance"),
                DATABASE_URL=f"sqlite:///{tmp_path / 'tollgate.db'}")
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"make-run-{env.get('TOLLGATE_ENV', 'development')}-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            ["make", "-o", str(venv / ".installed"), "run", f"VENV={venv}", f"PORT={port}", "WORKERS=1"],
            cwd=REPO, env={**base, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent())
    return proc, f"http://127.0.0.1:{port}", log_path


def stop(proc: subprocess.Popen) -> None:
    # make, gunicorn and its workers share the session's process group.
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve(tmp_path, env):
    proc, url, log_path = make_run(tmp_path, env)
    try:
        # Migrating from empty and starting gunicorn: well under a minute.
        wait_http(url + "/healthz", timeout=50, proc=proc)
    except RuntimeError:
        stop(proc)
        raise AssertionError(log_path.read_text(errors="replace")) from None
    return proc, url, log_path


def test_make_run_in_development_seeds_the_demo_and_serves(tmp_path):
    proc, url, log_path = serve(tmp_path, {"TOLLGATE_ENV": "development"})
    try:
        key = (tmp_path / "instance" / "demo_key.txt").read_text().strip()
        reply = requests.post(url + "/v1/chat/completions", timeout=10,
                              headers={"Authorization": f"Bearer {key}"},
                              json={"model": "tollgate-demo", "messages": [{"role": "user", "content": "Hi"}]})
        assert reply.status_code == 200, reply.text
        assert reply.json()["usage"]["credits"] > 0
    finally:
        stop(proc)
    assert "Demo model: tollgate-demo" in log_path.read_text(errors="replace")


def test_make_run_in_production_skips_the_demo_and_serves(tmp_path):
    fake = FakeAlipay().start()  # no call is made at start-up; should one be, it stays on loopback
    settings = fake.settings()
    settings.pop("ALIPAY_NOTIFY_URL")  # as in the README: derived from SITE_URL
    env = {"TOLLGATE_ENV": "production", "SECRET_KEY": "p" * 48, "SITE_URL": "https://relay.example.com",
           "PAYMENT_PROVIDER": "alipay", **settings}
    try:
        proc, url, log_path = serve(tmp_path, env)
        try:
            assert requests.get(url + "/pricing", timeout=10).status_code == 200
            models = requests.get(url + "/v1/models", timeout=10)
            assert models.status_code == 401  # no demo key to be had
        finally:
            stop(proc)
    finally:
        fake.stop()
    out = log_path.read_text(errors="replace")
    assert "Not seeding demo data: TOLLGATE_ENV is production" in out
    assert not (tmp_path / "instance" / "demo_key.txt").exists()

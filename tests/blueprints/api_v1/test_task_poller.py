"""Four gunicorn workers on PostgreSQL, each with its in-process poller,
plus `flask tasks work` beside them, all polling the same tasks: every task
is settled or released exactly once and the books are exact."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.blueprints.api_v1.task_stack import kinds, task_stack, tasks_of, wait_finished
from tests.fakes.upstream_client import directive
from tests.support.servers import REPO
from tests.support.stack import server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CREDITS = 1_000_000
REQUEST = 5
PER_SECOND = 100
TASKS = 24


@pytest.fixture(scope="module")
def busy(fake_upstream):
    from tests.support.databases import PostgresDatabase, postgres_unavailable
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    database = PostgresDatabase()
    stack = task_stack(database.url, "task-pollers", workers=4, env={"TASK_POLL_SECONDS": "0.05"})
    stack.set_model("sora-2", request_price=REQUEST, second_price=PER_SECOND)
    stack.add_channel("sora", fake_upstream.base_url_v1, ["sora-2"], speaks="openai.videos")
    yield stack, database
    stack.stop()
    database.drop()


def test_many_pollers_settle_each_task_exactly_once(busy):
    stack, database = busy
    accounts = [stack.new_key(CREDITS, name=f"poller {i}") for i in range(3)]
    env = {**os.environ, **server_env(database.url, stack.instance_dir, TASK_POLL_SECONDS="0.05",
                                      TASK_TIMEOUT_MINUTES="5")}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "tasks", "work"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def submit(i):
        raw = accounts[i % 3][0]
        outcome = {"fail": True} if i % 4 == 0 else {"seconds": 4 + i % 3}
        reply = requests.post(f"{stack.base_url}/videos", headers={"Authorization": f"Bearer {raw}"},
                              json={"model": "sora-2", "prompt": f"v{i} " + directive(after=0.5 + (i % 5) / 10,
                                                                                          **outcome),
                                    "seconds": "8"}, timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()["id"]

    try:
        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(submit, range(TASKS)))
        finished = [wait_finished(stack, video_id, timeout=60) for video_id in ids]
    finally:
        worker.terminate()
        worker.wait(10)
    assert sorted(t.status for t in finished).count("failed") == TASKS // 4
    for raw, _key, account in accounts:
        tasks = tasks_of(stack, account)
        entries = kinds(stack, account)
        charged = sum(t.cost for t in tasks)
        expected = sum(REQUEST + PER_SECOND * int(t.result["seconds"]) for t in tasks if t.status == "succeeded")
        assert charged == expected
        assert [k for k, _ in entries].count("reserve") == len(tasks)
        assert [k for k, _ in entries].count("release") == len(tasks)  # each hold released once
        assert [k for k, _ in entries].count("charge") == sum(t.status == "succeeded" for t in tasks)
        assert stack.balance(account) == CREDITS - expected
        logs = stack.logs(account)
        assert len(logs) == len(tasks) and sum(log.credits for log in logs) == expected
    assert stack.verify() == []

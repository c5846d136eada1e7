"""Jimeng (Volcengine's visual API) through Tollgate as its clients call it
(plain `requests`), on SQLite and PostgreSQL: POST /jimeng/ with
Action=CVSync2AsyncSubmitTask holds the seconds of the frames asked for at
the model's per-second price; the task is charged that when the poller sees
it done, released when it fails, never finishes or is never taken. The
upstream gets Volcengine's HMAC-SHA256 signature made from the channel's
AK|SK (the fake checks it); the client sees only our ids and Tollgate's
video URLs."""
from __future__ import annotations

import time

import pytest
import requests

from services.relay.adapters.jimeng import sign
from tests.blueprints.api_v1.task_stack import assert_books, task, task_stack, tasks_of, wait_finished
from tests.fakes.upstream import jimeng_wire
from tests.fakes.upstream_client import directive

CREDITS = 1_000_000
PER_SECOND = 120
MODEL = "jimeng_vgfm_t2v_l20"
SUBMIT = {"Action": "CVSync2AsyncSubmitTask", "Version": "2022-08-31"}
RESULT = {"Action": "CVSync2AsyncGetResult", "Version": "2022-08-31"}


@pytest.fixture(scope="module")
def jimeng(databases, fake_upstream):
    stack = task_stack(databases.new(), f"jimeng-{databases.kind}")
    stack.set_model(MODEL, video_prices={"*": PER_SECOND})
    stack.set_model("jimeng_v30", video_prices={"*": PER_SECOND})
    stack.add_channel("jimeng", fake_upstream.url + "/jimeng", [MODEL, "jimeng_v30"], provider="jimeng",
                      api_key=jimeng_wire.KEY, model_map={"jimeng_v30": "jimeng_t2v_v30"})
    yield stack
    stack.stop()


class Client:
    def __init__(self, stack, raw: str):
        self.root = stack.url
        self.headers = {"Authorization": f"Bearer {raw}"}

    def submit(self, body: dict) -> requests.Response:
        return requests.post(f"{self.root}/jimeng/", params=SUBMIT, json=body, headers=self.headers, timeout=30)

    def result(self, task_id: str) -> requests.Response:
        return requests.post(f"{self.root}/jimeng/", params=RESULT, json={"req_key": MODEL, "task_id": task_id},
                             headers=self.headers, timeout=30)

    def until_done(self, task_id: str, timeout: float = 20.0) -> tuple[dict, set]:
        seen = set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.result(task_id).json()
            seen.add(shown["data"]["status"])
            if shown["data"]["status"] in ("done", "failed"):
                return shown, seen
            time.sleep(0.2)
        raise AssertionError(f"task {task_id} did not finish")


def test_the_signature_follows_volcengines_algorithm():
    """A known vector: the same inputs always sign alike, and the fake (an
    independent implementation) accepts what `sign` makes."""
    headers = sign("POST", "https://visual.volcengineapi.com/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31",
                   b'{"req_key":"x"}', {"Content-Type": "application/json"}, "AK", "SK", now=1_700_000_000)
    assert headers["X-Date"] == "20231114T221320Z"
    assert headers["Authorization"].startswith(
        "HMAC-SHA256 Credential=AK/20231114/cn-north-1/cv/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=")
    environ = {"HTTP_AUTHORIZATION": headers["Authorization"].replace("AK/", jimeng_wire.ACCESS_KEY + "/"),
               "HTTP_X_DATE": headers["X-Date"], "HTTP_X_CONTENT_SHA256": headers["X-Content-Sha256"],
               "HTTP_HOST": "visual.volcengineapi.com", "CONTENT_TYPE": "application/json", "PATH_INFO": "/",
               "QUERY_STRING": "Version=2022-08-31&Action=CVSync2AsyncSubmitTask"}
    assert jimeng_wire.check_signature(environ, "POST", b'{"req_key":"x"}') == "SignatureDoesNotMatch"  # SK != fake's
    good = sign("POST", "http://visual.volcengineapi.com/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31",
                b'{"req_key":"x"}', {"Content-Type": "application/json"}, jimeng_wire.ACCESS_KEY,
                jimeng_wire.SECRET_KEY)
    environ.update(HTTP_AUTHORIZATION=good["Authorization"], HTTP_X_DATE=good["X-Date"])
    assert jimeng_wire.check_signature(environ, "POST", b'{"req_key":"x"}') is None


def test_a_video_is_a_task_charged_its_seconds_when_done(jimeng, fake_upstream):
    raw, _, account = jimeng.new_key(CREDITS)
    client = Client(jimeng, raw)
    reply = client.submit({"req_key": MODEL, "prompt": "a cat " + directive(after=1.0), "frames": 241,
                           "aspect_ratio": "16:9"})
    assert reply.status_code == 200, reply.text
    made = reply.json()
    assert made["code"] == 10000 and made["data"]["task_id"].startswith("jimeng_")
    task_id = made["data"]["task_id"]
    assert jimeng.balance(account) == CREDITS - 10 * PER_SECOND  # 241 frames: 10 s, held while it runs
    shown, seen = client.until_done(task_id)
    assert shown["code"] == 10000 and shown["data"]["status"] == "done", shown
    assert seen & {"in_queue", "generating"}
    assert shown["data"]["video_url"] == f"{jimeng.url}/jimeng/content/{task_id}" and "_tos" not in str(shown)
    content = requests.get(shown["data"]["video_url"], headers=client.headers, timeout=30)
    assert content.status_code == 200 and content.headers["content-type"] == "video/mp4"
    assert b"JIMENGVIDEO" in content.content
    assert_books(jimeng, account, CREDITS, 10 * PER_SECOND)
    (log,) = jimeng.logs(account)
    assert (log.door, log.status, log.credits, log.model) == ("jimeng", 200, 10 * PER_SECOND, MODEL)
    sent = [r for r in fake_upstream.requests() if (r.get("body") or {}).get("prompt", "").startswith("a cat ")][-1]
    assert sent["headers"]["authorization"].startswith("HMAC-SHA256 Credential=" + jimeng_wire.ACCESS_KEY)
    assert "auth_problem" not in sent
    polls = [r for r in fake_upstream.requests() if "CVSync2AsyncGetResult" in r["query"]
             and (r.get("body") or {}).get("task_id") == task(jimeng, task_id).provider_task_id]
    assert polls and all("auth_problem" not in r and r["body"]["req_key"] == MODEL for r in polls)


def test_the_upstream_req_key_is_the_channels_and_5s_is_the_default(jimeng):
    raw, _, account = jimeng.new_key(CREDITS)
    client = Client(jimeng, raw)
    task_id = client.submit({"req_key": "jimeng_v30", "prompt": "x " + directive(after=0.5)}).json()["data"]["task_id"]
    row = wait_finished(jimeng, task_id)
    assert row.status == "succeeded" and row.hold == 5 * PER_SECOND
    assert row.result["req_key"] == "jimeng_t2v_v30"
    assert_books(jimeng, account, CREDITS, 5 * PER_SECOND)


def test_a_failed_video_releases_its_hold(jimeng):
    raw, _, account = jimeng.new_key(CREDITS)
    client = Client(jimeng, raw)
    task_id = client.submit({"req_key": MODEL, "prompt": "x " + directive(after=0.5, fail=True,
                                                                          error_message="Post Text Risk Not Pass")}
                            ).json()["data"]["task_id"]
    shown, _ = client.until_done(task_id)
    assert shown["code"] == 50413 and shown["message"] == "Post Text Risk Not Pass"
    assert shown["data"] == {"task_id": task_id, "status": "failed", "video_url": None}
    assert_books(jimeng, account, CREDITS, 0)
    (log,) = jimeng.logs(account)
    assert (log.status, log.error_code, log.credits) == (502, "task_failed", 0)


def test_a_video_that_never_finishes_is_released_once_at_its_timeout(jimeng):
    raw, _, account = jimeng.new_key(CREDITS)
    task_id = Client(jimeng, raw).submit({"req_key": MODEL, "prompt": "forever " + directive(never=True)}
                                         ).json()["data"]["task_id"]
    row = wait_finished(jimeng, task_id, timeout=30)
    assert row.status == "failed" and "timed out" in row.error
    assert_books(jimeng, account, CREDITS, 0)
    (log,) = jimeng.logs(account)
    assert (log.status, log.error_code) == (504, "task_timeout")


def test_a_refused_submit_releases_the_hold_at_once(jimeng):
    raw, _, account = jimeng.new_key(CREDITS)
    client = Client(jimeng, raw)
    failed = client.submit({"req_key": MODEL, "prompt": "x " + directive(status=500)})
    assert failed.status_code == 502 and failed.json()["code"] == 50502
    declined = client.submit({"req_key": MODEL, "prompt": "x " + directive(code=50411, error_message="image risk")})
    assert declined.status_code == 200 and declined.json()["code"] == 50411  # Volcengine's answer, as it came
    assert tasks_of(jimeng, account) == []
    assert [e.kind for e in jimeng.entries(account)].count("charge") == 0
    assert jimeng.balance(account) == CREDITS and jimeng.verify() == []


def test_bad_requests_are_refused_in_volcengines_shape(jimeng):
    raw, _, account = jimeng.new_key(CREDITS)
    client = Client(jimeng, raw)
    for body in ({"prompt": "x"}, {"req_key": MODEL, "prompt": ""}, {"req_key": MODEL, "prompt": "x", "frames": 60}):
        reply = client.submit(body)
        assert reply.status_code == 400 and reply.json()["code"] == 50400, (body, reply.text)
    odd = requests.post(f"{jimeng.url}/jimeng/", params={"Action": "Nope"}, json={}, headers=client.headers,
                        timeout=30)
    assert odd.status_code == 400 and odd.json()["code"] == 50400
    assert jimeng.balance(account) == CREDITS
    logged = [(log.status, log.model) for log in jimeng.logs(account)]
    assert logged[:3] == [(400, None), (400, MODEL), (400, MODEL)]  # the first names no req_key


def test_another_accounts_key_gets_404(jimeng):
    raw, _, _ = jimeng.new_key(CREDITS)
    other, _, _ = jimeng.new_key(CREDITS)
    task_id = Client(jimeng, raw).submit({"req_key": MODEL, "prompt": "mine " + directive(after=0.3)}
                                         ).json()["data"]["task_id"]
    wait_finished(jimeng, task_id)
    thief = Client(jimeng, other)
    stolen = thief.result(task_id)
    assert stolen.status_code == 404 and stolen.json()["code"] == 50404
    assert requests.get(f"{jimeng.url}/jimeng/content/{task_id}", headers=thief.headers, timeout=30
                        ).status_code == 404
    assert requests.post(f"{jimeng.url}/jimeng/", params=RESULT, json={"task_id": task_id}, timeout=30
                         ).status_code == 401

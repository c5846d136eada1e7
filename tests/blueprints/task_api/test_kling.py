"""Kling through Tollgate as Kling's clients call it (plain `requests`), on
SQLite and PostgreSQL: a submit is a task held at the duration asked for
times the mode's per-second price until the poller sees Kling finish it;
charged then on the duration Kling reports, released when it fails, never
finishes or is never taken. The upstream gets a JWT made from the
channel's ACCESS|SECRET key (the fake checks its signature); the client
sees only our ids and Tollgate's video URLs."""
from __future__ import annotations

import time

import pytest
import requests

from services.relay.adapters.kling import token
from tests.blueprints.api_v1.task_stack import assert_books, task, task_stack, tasks_of, wait_finished
from tests.fakes.upstream import kling_wire
from tests.fakes.upstream_client import directive

CREDITS = 1_000_000
REQUEST = 7
PER_SECOND = {"std": 100, "pro": 350}


@pytest.fixture(scope="module")
def kling(databases, fake_upstream):
    stack = task_stack(databases.new(), f"kling-{databases.kind}")
    stack.set_model("kling-v1", request_price=REQUEST, video_prices=PER_SECOND)
    stack.set_model("kling-v2-master", request_price=REQUEST, video_prices=PER_SECOND)
    stack.channel_id = stack.add_channel("kling", fake_upstream.url + "/kling", ["kling-v1", "kling-v2-master"], provider="kling",
                      api_key=kling_wire.KEY, model_map={"kling-v2-master": "kling-v2-master-up"})
    yield stack
    stack.stop()


def cost(seconds: int, mode: str = "std") -> int:
    return REQUEST + seconds * PER_SECOND[mode]


class Client:
    def __init__(self, stack, raw: str):
        self.root = stack.url
        self.headers = {"Authorization": f"Bearer {raw}"}

    def submit(self, body: dict, kind: str = "text2video") -> requests.Response:
        return requests.post(f"{self.root}/kling/v1/videos/{kind}", json=body, headers=self.headers, timeout=30)

    def fetch(self, task_id: str, kind: str = "text2video") -> requests.Response:
        return requests.get(f"{self.root}/kling/v1/videos/{kind}/{task_id}", headers=self.headers, timeout=30)

    def until_done(self, task_id: str, kind: str = "text2video", timeout: float = 20.0) -> tuple[dict, set]:
        seen = set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.fetch(task_id, kind).json()
            seen.add(shown["data"]["task_status"])
            if shown["data"]["task_status"] in ("succeed", "failed"):
                return shown, seen
            time.sleep(0.2)
        raise AssertionError(f"task {task_id} did not finish")


def test_the_channel_key_makes_a_kling_jwt():
    made = token(kling_wire.KEY, now=1_000_000)
    import jwt

    claims = jwt.decode(made, kling_wire.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False,
                                                                                    "verify_nbf": False})
    assert claims == {"iss": kling_wire.ACCESS_KEY, "exp": 1_001_800, "nbf": 999_995}
    assert jwt.get_unverified_header(made) == {"alg": "HS256", "typ": "JWT"}
    assert token("sk-relay-key") == "sk-relay-key"  # a relay's own key, sent as it is


def test_a_text2video_is_a_task_charged_the_duration_kling_reports(kling, fake_upstream):
    raw, _, account = kling.new_key(CREDITS)
    client = Client(kling, raw)
    reply = client.submit({"model_name": "kling-v2-master", "prompt": "a cat " + directive(after=1.0, seconds=5),
                           "mode": "pro", "duration": "10", "callback_url": "https://client.example/hook"})
    assert reply.status_code == 200, reply.text
    made = reply.json()
    assert made["code"] == 0 and made["data"]["task_status"] in ("submitted", "processing")
    task_id = made["data"]["task_id"]
    assert task_id.startswith("kling_")  # ours, not the provider's digits
    assert kling.balance(account) == CREDITS - cost(10, "pro")  # held while it runs
    shown, seen = client.until_done(task_id)
    assert shown["code"] == 0 and shown["data"]["task_status"] == "succeed", shown
    assert "submitted" in seen or "processing" in seen
    (video,) = shown["data"]["task_result"]["videos"]
    assert video["duration"] == "5" and video["url"] == f"{kling.url}/kling/v1/videos/text2video/{task_id}/content"
    assert "_cdn" not in str(shown) and "kling_wire" not in str(shown)
    content = requests.get(video["url"], headers=client.headers, timeout=30)
    assert content.status_code == 200 and content.headers["content-type"] == "video/mp4"
    assert content.content.startswith(b"\x00\x00\x00\x18ftyp") and b"KLINGVIDEO" in content.content
    assert_books(kling, account, CREDITS, cost(5, "pro"))
    (log,) = kling.logs(account)
    assert (log.door, log.status, log.credits, log.model) == ("kling", 200, cost(5, "pro"), "kling-v2-master")
    row = task(kling, task_id)
    assert row.provider_task_id.isdigit() and row.upstream_model == "kling-v2-master-up"
    sent = [r for r in fake_upstream.requests() if r["method"] == "POST"
            and (r.get("body") or {}).get("prompt", "").startswith("a cat ")][-1]
    assert sent["body"]["model_name"] == "kling-v2-master-up" and "callback_url" not in sent["body"]
    assert sent["headers"]["authorization"].startswith("Bearer ey") and "auth_problem" not in sent


def test_an_image2video_is_polled_under_its_own_kind_and_defaults_to_5s_std(kling):
    raw, _, account = kling.new_key(CREDITS)
    client = Client(kling, raw)
    reply = client.submit({"image": "https://example.com/cat.png", "prompt": "move " + directive(after=0.5)},
                          kind="image2video")
    task_id = reply.json()["data"]["task_id"]
    assert task(kling, task_id).hold == cost(5)
    shown, _ = client.until_done(task_id, kind="image2video")
    assert shown["data"]["task_status"] == "succeed"
    assert shown["data"]["task_result"]["videos"][0]["url"].endswith(f"/image2video/{task_id}/content")
    assert_books(kling, account, CREDITS, cost(5))


def test_a_failed_video_releases_its_hold(kling):
    raw, _, account = kling.new_key(CREDITS)
    client = Client(kling, raw)
    task_id = client.submit({"prompt": "x " + directive(after=0.5, fail=True, error_message="risk control")}
                            ).json()["data"]["task_id"]
    shown, _ = client.until_done(task_id)
    assert shown["data"]["task_status"] == "failed" and shown["data"]["task_status_msg"] == "risk control"
    assert "task_result" not in shown["data"]
    assert_books(kling, account, CREDITS, 0)
    (log,) = kling.logs(account)
    assert (log.status, log.error_code, log.credits) == (502, "task_failed", 0)
    gone = requests.get(f"{kling.url}/kling/v1/videos/text2video/{task_id}/content", headers=client.headers,
                        timeout=30)
    assert gone.status_code == 404 and gone.json()["code"] == 1203


def test_a_video_that_never_finishes_is_released_once_at_its_timeout(kling):
    raw, _, account = kling.new_key(CREDITS)
    task_id = Client(kling, raw).submit({"prompt": "forever " + directive(never=True)}).json()["data"]["task_id"]
    row = wait_finished(kling, task_id, timeout=30)
    assert row.status == "failed" and "timed out" in row.error
    assert_books(kling, account, CREDITS, 0)
    (log,) = kling.logs(account)
    assert (log.status, log.error_code) == (504, "task_timeout")


def test_a_refused_submit_releases_the_hold_at_once(kling):
    raw, _, account = kling.new_key(CREDITS)
    client = Client(kling, raw)
    failed = client.submit({"prompt": "x " + directive(status=500)})
    assert failed.status_code == 502 and failed.json()["code"] == 5000
    refused = client.submit({"prompt": "x " + directive(status=400, kling_code=1301, error_message="unsafe")})
    assert refused.status_code == 400 and refused.json()["code"] == 1200
    declined = client.submit({"prompt": "x " + directive(code=1102, error_message="resource pack depleted")})
    assert declined.status_code == 200 and declined.json()["code"] == 1102  # Kling's answer, as it came
    assert tasks_of(kling, account) == []
    assert [e.kind for e in kling.entries(account)].count("charge") == 0
    assert kling.balance(account) == CREDITS and kling.verify() == []


def test_bad_fields_are_refused_before_any_hold(kling):
    raw, _, account = kling.new_key(CREDITS)
    client = Client(kling, raw)
    for body, kind in (({"prompt": "x", "duration": "7"}, "text2video"), ({"prompt": "x", "mode": "max"}, "text2video"),
                       ({"prompt": ""}, "text2video"), ({"prompt": "x"}, "image2video")):
        reply = client.submit(body, kind)
        assert reply.status_code == 400 and reply.json()["code"] == 1200, (body, reply.text)
    assert kling.balance(account) == CREDITS and [e for e in kling.entries(account) if e.kind != "adjust"] == []


def test_another_accounts_key_gets_404(kling):
    raw, _, _ = kling.new_key(CREDITS)
    other, _, _ = kling.new_key(CREDITS)
    task_id = Client(kling, raw).submit({"prompt": "mine " + directive(after=0.3)}).json()["data"]["task_id"]
    wait_finished(kling, task_id)
    thief = Client(kling, other)
    stolen = thief.fetch(task_id)
    assert stolen.status_code == 404 and stolen.json()["code"] == 1203
    assert requests.get(f"{kling.url}/kling/v1/videos/text2video/{task_id}/content", headers=thief.headers,
                        timeout=30).status_code == 404
    assert requests.get(f"{kling.url}/kling/v1/videos/text2video/{task_id}", timeout=30).status_code == 401


def test_too_few_credits_is_402_before_the_upstream(kling):
    raw, _, account = kling.new_key(cost(10, "pro") - 1)
    reply = Client(kling, raw).submit({"prompt": "x", "mode": "pro", "duration": 10})
    assert reply.status_code == 402 and reply.json()["code"] == 1101
    assert kling.balance(account) == cost(10, "pro") - 1
    (log,) = kling.logs(account)
    assert (log.status, log.error_code, log.model) == (402, "insufficient_credits", "kling-v1")


def test_a_health_check_skips_a_kling_channel_and_trips_no_breaker(kling):
    from services.relay.health import check_channel_by_id

    with kling.app.app_context():
        result = check_channel_by_id(kling.channel_id)
    assert result.ok is False and result.detail.startswith("not checked")
    raw, _, account = kling.new_key(CREDITS)
    task_id = Client(kling, raw).submit({"prompt": "after the check " + directive(after=0.2)}).json()["data"]["task_id"]
    assert wait_finished(kling, task_id).status == "succeeded"

"""Suno through Tollgate as new-api serves it, with `requests`, on SQLite
and PostgreSQL: a submit holds the request price of `suno_music` (or
`suno_lyrics`) until the poller sees the upstream finish the task; it is
charged once on success, released when the task fails, never finishes, or
is refused. The clips' audio and images are relayed by Tollgate."""
from __future__ import annotations

import time

import pytest
import requests

from tests.blueprints.api_v1.task_stack import assert_books, task, task_stack, tasks_of, wait_finished
from tests.fakes.upstream_client import directive

CREDITS = 1_000_000
MUSIC, LYRICS = 40_000, 3_000


@pytest.fixture(scope="module")
def suno(databases, fake_upstream):
    stack = task_stack(databases.new(), f"suno-{databases.kind}")
    stack.set_model("suno_music", request_price=MUSIC)
    stack.set_model("suno_lyrics", request_price=LYRICS)
    stack.add_channel("suno", fake_upstream.url, ["suno_music", "suno_lyrics"], provider="suno")
    yield stack
    stack.stop()


def root(stack) -> str:
    return stack.base_url.rsplit("/v1", 1)[0]


def call(stack, raw, method, path, **kw):
    return requests.request(method, root(stack) + path, headers={"Authorization": f"Bearer {raw}"},
                            timeout=30, **kw)


def submit(stack, raw, action="music", **body):
    return call(stack, raw, "POST", f"/suno/submit/{action}", json=body)


def fetch(stack, raw, task_id):
    return call(stack, raw, "GET", f"/suno/fetch/{task_id}")


def test_a_song_is_a_task_charged_its_price_once_done_and_its_clips_are_relayed(suno):
    raw, _, account = suno.new_key(CREDITS)
    reply = submit(suno, raw, prompt="a sea shanty " + directive(after=1.0), tags="folk", mv="chirp-v3-5")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["code"] == "success" and body["message"] == ""
    task_id = body["data"]
    assert task_id.startswith("suno_") and "up_" not in task_id  # ours, not the provider's
    assert suno.balance(account) == CREDITS - MUSIC  # held while it runs
    seen = set()
    deadline = time.monotonic() + 20
    data = fetch(suno, raw, task_id).json()["data"]
    while data["status"] not in ("SUCCESS", "FAILURE") and time.monotonic() < deadline:
        seen.add(data["status"])
        assert data["data"] == [] or all(not clip["audio_url"] for clip in data["data"])
        time.sleep(0.2)
        data = fetch(suno, raw, task_id).json()["data"]
    assert data["status"] == "SUCCESS", data
    assert seen & {"SUBMITTED", "QUEUED", "IN_PROGRESS", "NOT_START"}
    assert data["task_id"] == task_id and data["action"] == "MUSIC" and data["progress"] == "100%"
    assert data["fail_reason"] == "" and data["submit_time"] > 0 and data["finish_time"] >= data["submit_time"]
    assert len(data["data"]) == 2
    first = data["data"][0]
    assert first["audio_url"] == f"{root(suno)}/suno/clips/{task_id}/0/audio"
    assert first["image_url"] == f"{root(suno)}/suno/clips/{task_id}/0/image"
    assert "127.0.0.1" not in first["audio_url"].replace(root(suno), "")
    audio = requests.get(first["audio_url"], headers={"Authorization": f"Bearer {raw}"}, timeout=10)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert audio.content.startswith(b"ID3")
    image = call(suno, raw, "GET", f"/suno/clips/{task_id}/1/image")
    assert image.status_code == 200 and image.content.startswith(b"\xff\xd8\xff")
    assert call(suno, raw, "GET", f"/suno/clips/{task_id}/5/audio").status_code == 404
    assert_books(suno, account, CREDITS, MUSIC)
    (log,) = suno.logs(account)
    assert (log.door, log.status, log.credits, log.model) == ("suno", 200, MUSIC, "suno_music")
    row = task(suno, task_id)
    assert row.provider_task_id.startswith("suno_up_") and row.action == "music"


def test_lyrics_are_billed_at_the_lyrics_price_and_the_batch_fetch_lists_own_tasks(suno):
    raw, _, account = suno.new_key(CREDITS)
    other, _, _ = suno.new_key(CREDITS)
    first = submit(suno, raw, "lyrics", prompt="rain " + directive(after=0.3)).json()["data"]
    second = submit(suno, raw, "lyrics", prompt="sun " + directive(after=0.3)).json()["data"]
    theirs = submit(suno, other, "lyrics", prompt="not yours " + directive(after=0.3)).json()["data"]
    for task_id in (first, second, theirs):
        wait_finished(suno, task_id)
    batch = call(suno, raw, "POST", "/suno/fetch", json={"ids": [second, theirs, first, "nope"]}).json()
    assert batch["code"] == "success"
    assert [item["task_id"] for item in batch["data"]] == [second, first]
    assert all(item["action"] == "LYRICS" and item["status"] == "SUCCESS" for item in batch["data"])
    assert batch["data"][1]["data"][0]["text"].startswith("[Verse]")
    spent = [-e.amount for e in suno.entries(account) if e.kind == "charge"]
    assert spent == [LYRICS, LYRICS]
    assert suno.balance(account) == CREDITS - 2 * LYRICS and suno.verify() == []
    empty = call(suno, raw, "POST", "/suno/fetch", json={"ids": []}).json()
    assert empty == {"code": "success", "message": "", "data": []}


def test_a_failed_song_releases_its_hold(suno):
    raw, _, account = suno.new_key(CREDITS)
    task_id = submit(suno, raw, prompt="x " + directive(after=0.5, fail=True, error_message="nope")).json()["data"]
    wait_finished(suno, task_id)
    data = fetch(suno, raw, task_id).json()["data"]
    assert data["status"] == "FAILURE" and data["fail_reason"] == "nope" and data["data"] == []
    assert_books(suno, account, CREDITS, 0)
    (log,) = suno.logs(account)
    assert (log.status, log.error_code, log.credits) == (502, "task_failed", 0)
    assert call(suno, raw, "GET", f"/suno/clips/{task_id}/0/audio").status_code == 404


def test_a_song_that_never_finishes_is_released_once_at_its_timeout(suno):
    raw, _, account = suno.new_key(CREDITS)
    task_id = submit(suno, raw, prompt="forever " + directive(never=True)).json()["data"]
    row = wait_finished(suno, task_id, timeout=30)
    assert row.status == "failed" and "timed out" in row.error
    assert fetch(suno, raw, task_id).json()["data"]["status"] == "FAILURE"
    assert_books(suno, account, CREDITS, 0)
    (log,) = suno.logs(account)
    assert (log.status, log.error_code) == (504, "task_timeout")


def test_a_submit_the_upstream_refuses_is_passed_on_and_costs_nothing(suno):
    raw, _, account = suno.new_key(CREDITS)
    refused = submit(suno, raw, prompt="x " + directive(refuse=True))
    assert refused.status_code == 400 and refused.json()["code"] == "fail"
    broken = submit(suno, raw, prompt="x " + directive(status=500))
    assert broken.status_code == 502 and set(broken.json()) == {"code", "message", "data"}
    assert tasks_of(suno, account) == []
    assert suno.balance(account) == CREDITS and suno.verify() == []


def test_bad_submits_are_refused_in_new_apis_shape_before_any_hold(suno):
    raw, _, account = suno.new_key(CREDITS)
    unknown = submit(suno, raw, "dance", prompt="x")
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_action"
    empty = submit(suno, raw, "lyrics")
    assert empty.status_code == 400 and empty.json() == {"code": "prompt_empty", "message": empty.json()["message"],
                                                         "data": None}
    assert call(suno, "sk-wrong", "POST", "/suno/submit/music", json={"prompt": "x"}).status_code == 401
    poor, _, poor_account = suno.new_key(MUSIC - 1)
    short = submit(suno, poor, prompt="x")
    assert short.status_code == 402 and short.json()["code"] == "insufficient_credits"
    assert suno.balance(account) == CREDITS and suno.balance(poor_account) == MUSIC - 1


def test_another_accounts_key_gets_404_for_the_task_and_its_clips(suno):
    raw, _, _account = suno.new_key(CREDITS)
    other, _, _ = suno.new_key(CREDITS)
    task_id = submit(suno, raw, prompt="mine " + directive(after=0.3)).json()["data"]
    wait_finished(suno, task_id)
    stolen = fetch(suno, other, task_id)
    assert stolen.status_code == 404 and stolen.json()["code"] == "not_found"
    assert call(suno, other, "GET", f"/suno/clips/{task_id}/0/audio").status_code == 404
    assert fetch(suno, raw, task_id).status_code == 200
    assert requests.get(f"{root(suno)}/suno/clips/{task_id}/0/audio", timeout=10).status_code == 401

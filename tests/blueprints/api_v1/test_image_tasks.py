"""Images as tasks (seed 001): a model the operator marks `async` (its
capabilities) answers POST /v1/images/generations at once with
`{created, data: [], task_id, provider_task_id, status: "pending", model}`
and is followed at GET /v1/images/tasks/{id}, here on DashScope's
asynchronous text-to-image API, with `requests`, on SQLite and PostgreSQL.
n images of the size are held; the task settles on the images the upstream
reports it made, or is released when it fails, never finishes, or is never
accepted."""
from __future__ import annotations

import time

import pytest
import requests

from tests.blueprints.api_v1.task_stack import assert_books, task, task_stack, tasks_of, wait_finished
from tests.fakes.upstream_client import directive

CREDITS = 1_000_000
PRICES = {"1024x1024": 2_000, "*": 3_000}
REQUEST = 7


@pytest.fixture(scope="module")
def images(databases, fake_upstream):
    stack = task_stack(databases.new(), f"image-tasks-{databases.kind}")
    stack.set_model("qwen-image", image_prices="1024x1024=2000,*=3000", request_price=REQUEST,
                    capabilities=["images", "async"])
    stack.set_model("wanx-sync", image_prices="*=3000", capabilities=["images"])
    stack.add_channel("dashscope", fake_upstream.url + "/api/v1", ["qwen-image"], provider="dashscope",
                      model_map={"qwen-image": "qwen-image-plus"})
    yield stack
    stack.stop()


def cost(images: int, size: str = "1024x1024") -> int:
    return REQUEST + images * PRICES.get(size, PRICES["*"])


def post(stack, raw, prefix="/v1", **body):
    root = stack.base_url.rsplit("/v1", 1)[0]
    return requests.post(f"{root}{prefix}/images/generations", json=body, timeout=30,
                         headers={"Authorization": f"Bearer {raw}"})


def get(stack, raw, path, prefix="/v1"):
    root = stack.base_url.rsplit("/v1", 1)[0]
    headers = {"Authorization": f"Bearer {raw}"} if raw else {}
    return requests.get(f"{root}{prefix}{path}", headers=headers, timeout=30)


def test_an_async_model_answers_with_a_task_then_the_images_at_tollgates_urls(images, fake_upstream):
    raw, _, account = images.new_key(CREDITS)
    reply = post(images, raw, model="qwen-image", prompt="a robot reading " + directive(after=1.0), n=2,
                 size="1024x1024", negative_prompt="blur")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"created", "data", "task_id", "provider_task_id", "status", "model"}
    assert body["data"] == [] and body["status"] == "pending" and body["model"] == "qwen-image"
    assert body["task_id"].startswith("imgtask_") and body["provider_task_id"].startswith("ds-")
    assert images.balance(account) == CREDITS - cost(2)  # held while it runs
    sent = [r for r in fake_upstream.requests() if (r.get("body") or {}).get("input", {}).get("prompt", "")
            .startswith("a robot reading")][-1]
    assert sent["headers"]["x-dashscope-async"] == "enable"
    assert sent["body"]["model"] == "qwen-image-plus"
    assert sent["body"]["parameters"] == {"size": "1024*1024", "n": 2}
    assert sent["body"]["input"]["negative_prompt"] == "blur"
    seen = set()
    deadline = time.monotonic() + 20
    view = body
    while view["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
        seen.add(view["status"])
        assert view["data"] == []
        time.sleep(0.2)
        view = get(images, raw, f"/images/tasks/{body['task_id']}").json()
    assert view["status"] == "succeeded", view
    assert "pending" in seen
    assert view["provider_task_id"] == body["provider_task_id"] and view["task_id"] == body["task_id"]
    root = images.base_url.rsplit("/v1", 1)[0]
    assert [item["url"] for item in view["data"]] == [f"{root}/v1/images/tasks/{body['task_id']}/{n}"
                                                       for n in range(2)]
    png = requests.get(view["data"][1]["url"], headers={"Authorization": f"Bearer {raw}"}, timeout=10)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert get(images, raw, f"/images/tasks/{body['task_id']}/2").status_code == 404
    alias = get(images, raw, f"/images/tasks/{body['task_id']}", prefix="/api/v1").json()
    assert alias["data"][0]["url"] == f"{root}/api/v1/images/tasks/{body['task_id']}/0"
    assert_books(images, account, CREDITS, cost(2))
    (log,) = images.logs(account)
    assert (log.door, log.status, log.credits, log.model) == ("images", 200, cost(2), "qwen-image")
    assert task(images, body["task_id"]).upstream_model == "qwen-image-plus"


def test_the_images_the_upstream_made_are_billed_not_the_ones_asked_for(images):
    raw, _, account = images.new_key(CREDITS)
    body = post(images, raw, prefix="/api/v1", model="qwen-image", prompt="few " + directive(after=0.3, made=1),
                n=3, size="1280x720").json()
    row = wait_finished(images, body["task_id"])
    assert row.status == "succeeded" and row.hold == cost(3, "1280x720")
    assert_books(images, account, CREDITS, cost(1, "1280x720"))
    assert len(get(images, raw, f"/images/tasks/{body['task_id']}").json()["data"]) == 1


def test_a_failed_task_releases_its_hold(images):
    raw, _, account = images.new_key(CREDITS)
    body = post(images, raw, model="qwen-image", prompt="x " + directive(after=0.5, fail=True, error_message="nsfw")).json()
    wait_finished(images, body["task_id"])
    view = get(images, raw, f"/images/tasks/{body['task_id']}").json()
    assert view["status"] == "failed" and view["data"] == [] and view["error"]["message"] == "nsfw"
    assert_books(images, account, CREDITS, 0)
    (log,) = images.logs(account)
    assert (log.status, log.error_code, log.credits) == (502, "task_failed", 0)
    assert get(images, raw, f"/images/tasks/{body['task_id']}/0").status_code == 404


def test_a_task_that_never_finishes_is_released_once_at_its_timeout(images):
    raw, _, account = images.new_key(CREDITS)
    body = post(images, raw, model="qwen-image", prompt="forever " + directive(never=True)).json()
    row = wait_finished(images, body["task_id"], timeout=30)
    assert row.status == "failed" and "timed out" in row.error
    assert get(images, raw, f"/images/tasks/{body['task_id']}").json()["status"] == "failed"
    assert_books(images, account, CREDITS, 0)
    (log,) = images.logs(account)
    assert (log.status, log.error_code) == (504, "task_timeout")


def test_a_submit_the_upstream_refuses_releases_the_hold_at_once(images):
    raw, _, account = images.new_key(CREDITS)
    broken = post(images, raw, model="qwen-image", prompt="x " + directive(status=500))
    assert broken.status_code == 502 and "error" in broken.json()
    bad = post(images, raw, model="qwen-image", prompt="x", size="big")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_request"
    assert tasks_of(images, account) == []
    assert images.balance(account) == CREDITS and images.verify() == []


def test_another_accounts_key_gets_404_for_the_task_and_its_images(images):
    raw, _, _account = images.new_key(CREDITS)
    other, _, _ = images.new_key(CREDITS)
    body = post(images, raw, model="qwen-image", prompt="mine " + directive(after=0.3)).json()
    wait_finished(images, body["task_id"])
    assert get(images, other, f"/images/tasks/{body['task_id']}").status_code == 404
    assert get(images, other, f"/images/tasks/{body['task_id']}/0").status_code == 404
    assert get(images, raw, f"/images/tasks/{body['task_id']}/0").status_code == 200
    assert get(images, None, f"/images/tasks/{body['task_id']}/0").status_code == 401


def test_a_model_without_the_async_capability_stays_synchronous(images):
    raw, _, account = images.new_key(CREDITS)
    reply = post(images, raw, model="wanx-sync", prompt="x")
    assert reply.status_code == 503  # no channel speaks openai.images for it: the sync door, not a task
    assert tasks_of(images, account) == [] and images.balance(account) == CREDITS

"""OpenAI videos through Tollgate with the openai SDK, on SQLite and
PostgreSQL: a video is a task whose hold (the seconds asked for at the
size's per-second price) stays open until the poller sees the upstream
finish it; it is then charged the seconds the upstream reports, or
released when the video fails, never finishes, or is never accepted."""
from __future__ import annotations

import time

import openai
import pytest
import requests

from tests.blueprints.api_v1.image_stack import PNG
from tests.blueprints.api_v1.task_stack import assert_books, kinds, task, task_stack, tasks_of, wait_finished
from tests.fakes.upstream_client import directive

pytestmark = pytest.mark.filterwarnings("ignore:The Sora API:DeprecationWarning")
CREDITS = 10_000_000
REQUEST = 5
PER_SECOND = {"1280x720": 2_000, "*": 1_000}


@pytest.fixture(scope="module")
def videos(databases, fake_upstream):
    stack = task_stack(databases.new(), f"videos-{databases.kind}")
    stack.set_model("sora-2", request_price=REQUEST, video_prices=PER_SECOND)
    stack.set_model("chat-only-video", request_price=REQUEST, video_prices=PER_SECOND)
    stack.add_channel("sora", fake_upstream.base_url_v1, ["sora-2"], speaks="openai.videos",
                      model_map={"sora-2": "sora-2-upstream"})
    stack.add_channel("chat", fake_upstream.base_url_v1, ["chat-only-video"])
    # A model whose first channel is down: the submit fails over to the next.
    stack.set_model("sora-failover", request_price=REQUEST, video_prices=PER_SECOND)
    stack.add_channel("sora-down", "http://127.0.0.1:9/v1", ["sora-failover"], speaks="openai.videos", priority=10)
    stack.add_channel("sora-up", fake_upstream.base_url_v1, ["sora-failover"], speaks="openai.videos")
    yield stack
    stack.stop()


def client(stack, raw):
    return openai.OpenAI(api_key=raw, base_url=stack.base_url, max_retries=0, timeout=30)


def cost(seconds: int, size: str = "*") -> int:
    return REQUEST + seconds * PER_SECOND.get(size, PER_SECOND["*"])


def test_a_video_is_a_task_charged_the_seconds_made_when_done(videos):
    raw, _, account = videos.new_key(CREDITS)
    sdk = client(videos, raw)
    video = sdk.videos.create(model="sora-2", prompt="a cat " + directive(after=1.0), seconds="8", size="1280x720")
    assert video.id.startswith("video_") and "up_" not in video.id  # ours, not the provider's
    assert video.status in ("queued", "in_progress") and video.model == "sora-2"
    assert videos.balance(account) == CREDITS - cost(8, "1280x720")  # held while it runs
    seen = set()
    deadline = time.monotonic() + 20
    while video.status not in ("completed", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        video = sdk.videos.retrieve(video.id)
        seen.add(video.status)
    assert video.status == "completed", video
    assert video.progress == 100 and video.seconds == "8" and video.size == "1280x720"
    assert "in_progress" in seen or "queued" in seen
    content = sdk.videos.download_content(video.id)
    assert content.read().startswith(b"\x00\x00\x00\x18ftyp")
    thumbnail = sdk.videos.download_content(video.id, variant="thumbnail")
    assert thumbnail.response.headers["content-type"] == "image/webp"
    assert_books(videos, account, CREDITS, cost(8, "1280x720"))
    (log,) = videos.logs(account)
    assert (log.door, log.status, log.credits, log.model) == ("videos", 200, cost(8, "1280x720"), "sora-2")
    row = task(videos, video.id)
    assert row.provider_task_id.startswith("video_up_") and row.upstream_model == "sora-2-upstream"


def test_the_upstreams_seconds_are_billed_not_the_default(videos):
    """A request without `seconds` holds OpenAI's default (4); the upstream's
    own count settles it (never above the hold)."""
    raw, _, account = videos.new_key(CREDITS)
    video = client(videos, raw).videos.create(model="sora-2", prompt="short " + directive(after=0.5, seconds=2))
    row = wait_finished(videos, video.id)
    assert row.status == "succeeded" and row.hold == cost(4)
    assert_books(videos, account, CREDITS, cost(2))


def test_a_failed_video_releases_its_hold(videos):
    raw, _, account = videos.new_key(CREDITS)
    sdk = client(videos, raw)
    video = sdk.videos.create(model="sora-2", prompt="x " + directive(after=0.5, fail=True, error_message="nope"))
    wait_finished(videos, video.id)
    video = sdk.videos.retrieve(video.id)
    assert video.status == "failed" and video.error.message == "nope"
    assert_books(videos, account, CREDITS, 0)
    (log,) = videos.logs(account)
    assert (log.status, log.error_code, log.credits) == (502, "task_failed", 0)
    with pytest.raises(openai.NotFoundError):
        sdk.videos.download_content(video.id)


def test_a_video_that_never_finishes_is_released_once_at_its_timeout(videos):
    raw, _, account = videos.new_key(CREDITS)
    video = client(videos, raw).videos.create(model="sora-2", prompt="forever " + directive(never=True))
    row = wait_finished(videos, video.id, timeout=30)
    assert row.status == "failed" and "timed out" in row.error
    assert_books(videos, account, CREDITS, 0)
    (log,) = videos.logs(account)
    assert (log.status, log.error_code) == (504, "task_timeout")


def test_a_submit_every_channel_refuses_releases_the_hold_at_once(videos):
    raw, _, account = videos.new_key(CREDITS)
    with pytest.raises(openai.InternalServerError) as refused:
        client(videos, raw).videos.create(model="sora-2", prompt="x " + directive(status=500))
    assert refused.value.status_code == 502
    assert tasks_of(videos, account) == []
    assert_books(videos, account, CREDITS, 0)


def test_the_client_error_of_the_upstream_is_the_clients(videos):
    raw, _, account = videos.new_key(CREDITS)
    with pytest.raises(openai.BadRequestError):
        client(videos, raw).videos.create(model="sora-2", prompt="x", seconds="5")  # Sora takes 4, 8 or 12
    assert_books(videos, account, CREDITS, 0)


def test_another_accounts_key_gets_404_for_the_video_and_its_content(videos):
    raw, _, _account = videos.new_key(CREDITS)
    other, _, _ = videos.new_key(CREDITS)
    video = client(videos, raw).videos.create(model="sora-2", prompt="mine " + directive(after=0.3))
    wait_finished(videos, video.id)
    thief = client(videos, other)
    with pytest.raises(openai.NotFoundError):
        thief.videos.retrieve(video.id)
    with pytest.raises(openai.NotFoundError):
        thief.videos.download_content(video.id)
    with pytest.raises(openai.NotFoundError):
        thief.videos.remix(video.id, prompt="stolen")
    reply = requests.get(f"{videos.base_url}/videos/{video.id}/content", timeout=10)
    assert reply.status_code == 401


def test_a_remix_goes_to_the_channel_that_made_the_video(videos, fake_upstream):
    raw, _, account = videos.new_key(CREDITS)
    sdk = client(videos, raw)
    first = sdk.videos.create(model="sora-2", prompt="one " + directive(after=0.3), seconds="4", size="1280x720")
    wait_finished(videos, first.id)
    remix = sdk.videos.remix(first.id, prompt="two " + directive(after=0.3))
    assert remix.id != first.id and remix.remixed_from_video_id == first.id
    wait_finished(videos, remix.id)
    remix = sdk.videos.retrieve(remix.id)
    assert remix.status == "completed" and remix.size == "1280x720"
    spent = [-a for k, a in kinds(videos, account) if k == "charge"]
    assert spent == [cost(4, "1280x720"), cost(4, "1280x720")]
    assert videos.verify() == []


def test_an_input_reference_is_uploaded_as_multipart(videos, fake_upstream):
    raw, _, account = videos.new_key(CREDITS)
    video = client(videos, raw).videos.create(model="sora-2", prompt="ref " + directive(after=0.3),
                                              input_reference=("ref.png", PNG, "image/png"))
    wait_finished(videos, video.id)
    recorded = [r for r in fake_upstream.requests() if (r.get("form") or {}).get("prompt", "").startswith("ref ")]
    assert recorded and recorded[-1]["files"][0]["field"] == "input_reference"
    assert recorded[-1]["form"]["model"] == "sora-2-upstream"


def test_a_chat_only_channel_never_gets_a_video(videos):
    raw, _, account = videos.new_key(CREDITS)
    with pytest.raises(openai.APIStatusError) as refused:
        client(videos, raw).videos.create(model="chat-only-video", prompt="x")
    assert refused.value.status_code == 503
    assert videos.balance(account) == CREDITS


def test_too_few_credits_for_the_seconds_is_402_before_the_upstream(videos):
    raw, _, account = videos.new_key(cost(8) - 1)
    with pytest.raises(openai.APIStatusError) as refused:
        client(videos, raw).videos.create(model="sora-2", prompt="x", seconds="8")
    assert refused.value.status_code == 402
    assert videos.balance(account) == cost(8) - 1


def test_open_tasks_are_in_the_metrics_until_they_end(videos):
    from prometheus_client.parser import text_string_to_metric_families

    from tests.support.stack import make_app

    scraper = make_app(videos.db_url, METRICS_ALLOW_NETWORKS="127.0.0.1/32").test_client()

    def gauges() -> dict:
        text = scraper.get("/metrics").get_data(as_text=True)
        return {(s.name, s.labels.get("status")): s.value
                for family in text_string_to_metric_families(text) for s in family.samples
                if s.name.startswith("tollgate_tasks_")}

    raw, _, _account = videos.new_key(CREDITS)
    video = client(videos, raw).videos.create(model="sora-2", prompt="slow " + directive(never=True))
    seen = gauges()
    assert seen[("tollgate_tasks_open", "queued")] + seen[("tollgate_tasks_open", "in_progress")] >= 1
    assert seen[("tollgate_tasks_held_credits", None)] >= cost(4)
    wait_finished(videos, video.id, timeout=30)
    seen = gauges()
    assert seen[("tollgate_tasks_open", "queued")] + seen[("tollgate_tasks_open", "in_progress")] == 0
    assert seen[("tollgate_tasks_held_credits", None)] == 0


def test_a_submit_failing_over_to_another_channel_keeps_its_one_hold(videos):
    raw, _, account = videos.new_key(CREDITS)
    video = client(videos, raw).videos.create(model="sora-failover", prompt="f " + directive(after=0.3))
    row = wait_finished(videos, video.id)
    assert row.status == "succeeded"
    with videos.app.app_context():
        from extensions import db
        from models import Channel
        assert db.session.get(Channel, row.channel_id).name == "sora-up"
    assert_books(videos, account, CREDITS, cost(4))  # one reserve, one release, one charge

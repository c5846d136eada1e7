"""The Kling and Jimeng doors and families without a server: what a submit
holds, what reaches the upstream, and how the providers' answers read."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Price, cost
from services.relay.convert.table import Target
from services.relay.doors import jimeng as jimeng_door, kling as kling_door
from services.relay.errors import RelayError
from services.tasks.family import Refused
from services.tasks.families import jimeng, kling


def target(model: str) -> Target:
    return Target(upstream_model=model, client_model="x", max_output_tokens=0, provider="kling", prompt_estimate=0)


def task(**fields):
    base = {"params": {}, "result": {}, "action": "text2video", "provider_task_id": "123", "model": "m"}
    return SimpleNamespace(**{**base, **fields})


def test_a_kling_submit_holds_its_duration_at_its_modes_price_and_drops_the_hook():
    ask = kling_door.parse(kling_door.KlingRequest({"prompt": "x", "mode": "pro", "duration": 10, "model": "m",
                                                    "callback_url": "https://hook", "external_task_id": "e"},
                                                   "text2video"))
    assert ask.model_id == "m" and ask.path == "/v1/videos/text2video"
    assert (ask.bound.video_seconds, ask.bound.video_size) == (10, "pro")
    sent = kling_door.passthrough(ask, target("m-up"), False).body
    assert sent == {"prompt": "x", "mode": "pro", "duration": "10", "model_name": "m-up", "model": "m-up"}
    price = Price(request=3, video={"std": 100, "pro": 350})
    assert cost(price, ask.bound) == kling_door.dearest(price, 10, "pro") == 3 + 3500


def test_kling_defaults_and_refusals():
    ask = kling_door.parse(kling_door.KlingRequest({"image": "https://i"}, "image2video"))
    assert (ask.model_id, ask.bound.video_seconds, ask.bound.video_size) == ("kling-v1", 5, "std")
    for body, kind in (({"prompt": "x", "duration": "7"}, "text2video"), ({"prompt": "x", "mode": "max"}, "text2video"),
                       ({}, "text2video"), ({"prompt": "x"}, "image2video"),
                       ({"prompt": "x", "api_key": "k"}, "text2video")):
        with pytest.raises(RelayError) as refused:
            kling_door.parse(kling_door.KlingRequest(body, kind))
        assert refused.value.status == 400
    assert kling_door.error_body(RelayError(402, "insufficient_credits", "no"))["code"] == 1101


def test_kling_answers_read_into_tasks():
    with pytest.raises(Refused):
        kling.accept({"code": 1102, "message": "depleted"}, None)
    accepted = kling.accept({"code": 0, "data": {"task_id": 77, "task_status": "processing"}}, None)
    assert (accepted.provider_task_id, accepted.status) == ("77", IN_PROGRESS)
    assert kling.fetch(task(action="image2video")).path == "/v1/videos/image2video/123"
    held = task(params={"duration": 10, "mode": "pro"})
    done = kling.read({"code": 0, "data": {"task_status": "succeed", "task_result": {"videos": [
        {"id": "v", "url": "https://cdn/v.mp4", "duration": "5.1"}]}}}, held)
    assert done.status == SUCCEEDED and done.result_url == "https://cdn/v.mp4"
    assert (done.usage.video_seconds, done.usage.video_size) == (6, "pro")  # rounded up; capped at the hold later
    unreported = kling.read({"code": 0, "data": {"task_status": "succeed", "task_result": {"videos": [{}]}}}, held)
    assert unreported.usage.video_seconds == 10
    assert kling.read({"code": 0, "data": {"task_status": "submitted"}}, held).status == QUEUED
    failed = kling.read({"code": 0, "data": {"task_status": "failed", "task_status_msg": "risk"}}, held)
    assert (failed.status, failed.error) == (FAILED, "risk")
    assert kling.read({"code": 1203, "message": "gone"}, held).status == FAILED


def test_a_jimeng_submit_holds_the_seconds_of_its_frames():
    assert jimeng_door.parse({"req_key": "k", "prompt": "x"}).bound.video_seconds == 5
    ask = jimeng_door.parse({"req_key": "k", "prompt": "x", "frames": 241})
    assert ask.bound.video_seconds == 10 and ask.path == jimeng_door.SUBMIT_PATH
    assert jimeng_door.passthrough(ask, target("k-up"), False).body["req_key"] == "k-up"
    assert jimeng_door.parse({"req_key": "k", "image_urls": ["https://i"]}).model_id == "k"
    for body in ({"prompt": "x"}, {"req_key": "k"}, {"req_key": "k", "prompt": "x", "frames": 122},
                 {"req_key": "k", "prompt": "x", "image_urls": "https://i"}):
        with pytest.raises(RelayError):
            jimeng_door.parse(body)
    assert jimeng_door.error_body(RelayError(429, "rate_limited", "slow"))["code"] == 50429


def test_jimeng_answers_read_into_tasks():
    call = SimpleNamespace(upstream_body={"req_key": "k-up"})
    with pytest.raises(Refused):
        jimeng.accept({"code": 50411, "message": "image risk"}, call)
    accepted = jimeng.accept({"code": 10000, "data": {"task_id": "t1"}}, call)
    assert accepted.provider_task_id == "t1" and accepted.result == {"req_key": "k-up"}
    row = task(result={"req_key": "k-up"}, provider_task_id="t1", params={"seconds": 10})
    assert jimeng.fetch(row).body == {"req_key": "k-up", "task_id": "t1"}
    assert jimeng.read({"code": 10000, "data": {"status": "generating"}}, row).status == IN_PROGRESS
    done = jimeng.read({"code": 10000, "data": {"status": "done", "video_url": "https://tos/v.mp4"}}, row)
    assert (done.status, done.result_url, done.result) == (SUCCEEDED, "https://tos/v.mp4", {"req_key": "k-up"})
    assert jimeng.measure(row).video_seconds == 10
    assert jimeng.read({"code": 10000, "data": {"status": "done", "video_url": ""}}, row).status == FAILED
    assert jimeng.read({"code": 10000, "data": {"status": "expired"}}, row).status == FAILED
    failed = jimeng.read({"code": 50413, "message": "Post Text Risk Not Pass"}, row)
    assert (failed.status, failed.result["code"], failed.error) == (FAILED, 50413, "Post Text Risk Not Pass")

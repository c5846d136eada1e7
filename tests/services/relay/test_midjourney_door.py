"""The Midjourney door and family without a server: an action read from its
button's customId as new-api reads it, the model billed for each submit,
and the provider's task object read into a poll."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.relay.doors import midjourney as door
from services.relay.doors.midjourney import MjRequest
from services.relay.errors import RelayError
from services.tasks.families import midjourney as family


@pytest.mark.parametrize("custom_id, action", [
    ("MJ::JOB::upsample::2::3dbbd469", "UPSCALE"),
    ("MJ::JOB::upsample_v6_2x_subtle::1::3dbbd469::SOLO", "UPSCALE"),
    ("MJ::JOB::variation::3::3dbbd469", "VARIATION"),
    ("MJ::JOB::low_variation::1::3dbbd469::SOLO", "LOW_VARIATION"),
    ("MJ::JOB::high_variation::1::3dbbd469::SOLO", "HIGH_VARIATION"),
    ("MJ::JOB::reroll::0::3dbbd469::SOLO", "REROLL"),
    ("MJ::JOB::pan_left::1::3dbbd469::SOLO", "PAN"),
    ("MJ::Outpaint::50::1::3dbbd469::SOLO", "ZOOM"),
    ("MJ::CustomZoom::3dbbd469", "CUSTOM_ZOOM"),
    ("MJ::Inpaint::1::3dbbd469::SOLO", "INPAINT"),
])
def test_an_action_is_read_from_its_custom_id(custom_id, action):
    assert door.action_of(custom_id) == action
    assert door.MODELS[action].startswith("mj_")


@pytest.mark.parametrize("custom_id", ["", "nonsense", "MJ::JOB::bookmark::1::x", None, 5])
def test_an_unknown_custom_id_is_a_400(custom_id):
    with pytest.raises(RelayError) as refused:
        door.action_of(custom_id)
    assert refused.value.status == 400


def test_each_submit_is_billed_as_its_action_at_one_request_price():
    ask = door.parse(MjRequest({"prompt": "a cat", "notifyHook": "http://x"}, "imagine"))
    assert (ask.model_id, ask.path, ask.bound.images) == ("mj_imagine", "/mj/submit/imagine", 0)
    assert "notifyHook" not in ask.body
    upscale = door.parse(MjRequest({"taskId": "171", "customId": "MJ::JOB::upsample::1::h"}, "action",
                                   action="UPSCALE", channel_id=7))
    assert (upscale.model_id, upscale.channel_id) == ("mj_upscale", 7)
    assert door.parse(MjRequest({"base64Array": ["a", "b"]}, "blend")).model_id == "mj_blend"
    with pytest.raises(RelayError):
        door.parse(MjRequest({"base64Array": ["a"] * 6}, "blend"))
    with pytest.raises(RelayError):
        door.change_action({"action": "UPSCALE", "index": 5})
    assert door.change_action({"action": "REROLL"}) == "REROLL"


def test_the_providers_task_is_read_without_its_accounts():
    answer = {"id": "171", "action": "IMAGINE", "status": "IN_PROGRESS", "progress": "45%", "imageUrl": None,
              "properties": {"finalPrompt": "a cat", "discordInstanceId": "1", "notifyHook": "http://x"}}
    poll = family.read(answer, SimpleNamespace(params={}))
    assert (poll.status, poll.progress, poll.result["properties"]) == ("in_progress", 45, {"finalPrompt": "a cat"})
    done = family.read({**answer, "status": "SUCCESS", "progress": "100%", "imageUrl": "https://cdn/x.png"}, None)
    assert (done.status, done.result_url) == ("succeeded", "https://cdn/x.png")
    assert [family.read({"progress": p}, None).progress for p in ("12.5%", 7, "x", None, "250%")] == [12, 7, 0, 0, 100]
    failed = family.read({"status": "FAILURE", "failReason": "banned"}, None)
    assert (failed.status, failed.error) == ("failed", "banned")

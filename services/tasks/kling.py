"""Kling for the views: submit a text2video or image2video task, show one,
relay its video. Another account's task id is as unknown as a made-up one."""
from __future__ import annotations

from services.relay.doors.kling import KINDS, KlingRequest
from services.relay.errors import RelayError, invalid_request
from services.tasks import access
from services.tasks.family import Refused
from services.tasks.families import kling
from services.tasks.submit import submit as submit_task

FAMILY = kling.FAMILY
WHAT = "task"


def submit(key, kind: str, body: dict, *, request_id: str, client) -> tuple[dict, int]:
    """(the answer, HTTP status): our task, or Kling's refusal as it came (nothing charged)."""
    if kind not in KINDS:
        raise invalid_request(f"Unknown task kind '{kind}'.")
    outcome = submit_task(key, FAMILY, KlingRequest(body, kind), {}, request_id=request_id, client=client,
                          params={"action": kind})
    if isinstance(outcome, Refused):
        return outcome.answer, outcome.status
    return view(outcome), 200


def find(key, task_id: str):
    return access.find(key, (FAMILY.name,), task_id, WHAT)


def view(task, site: str = "") -> dict:
    shown = FAMILY.view(task)
    for video in shown["data"].get("task_result", {}).get("videos", []):
        video["url"] = site + video["url"]
    return shown


def fetch(key, task_id: str, site: str) -> dict:
    return view(find(key, task_id), site)


def content(key, task_id: str):
    task = find(key, task_id)
    if task.status == "succeeded" and not task.result_url:
        raise RelayError(404, "not_found", "The provider reported no video for this task.")
    return access.content(task, task.result_url or "", "video")

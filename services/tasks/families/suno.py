"""Suno as a task family: a suno-api style upstream's task (new-api's
SunoDataResponse) read into a task, and the task written back in new-api's
shape under our id, its clips' audio, image and video URLs Tollgate's own
(services.tasks.suno relays the bytes).

The upstream's statuses are new-api's: NOT_START, SUBMITTED, QUEUED,
IN_PROGRESS, then SUCCESS or FAILURE (UNKNOWN while it cannot say)."""
from __future__ import annotations

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Usage
from services.relay.adapters.base import UpstreamError
from services.relay.doors import suno as door
from services.tasks.family import Accepted, Family, Fetch, Poll, Refused
from services.tasks.store import epoch

STATUSES = {"NOT_START": QUEUED, "SUBMITTED": QUEUED, "QUEUED": QUEUED, "IN_PROGRESS": IN_PROGRESS,
            "SUCCESS": SUCCEEDED, "FAILURE": FAILED}
WAITING = ("NOT_START", "SUBMITTED", "QUEUED")
CLIENT_STATUS = {IN_PROGRESS: "IN_PROGRESS", SUCCEEDED: "SUCCESS", FAILED: "FAILURE"}
# A clip's locations, by the name of their relay (/suno/clips/{task}/{n}/{kind}).
MEDIA = {"audio": "audio_url", "image": "image_url", "image_large": "image_large_url", "video": "video_url"}


def accept(answer: dict, call) -> Accepted:
    """{code: "success", data: "<task id>"}; another code is a refusal."""
    if answer.get("code") != "success":
        raise Refused({"code": str(answer.get("code") or "fail"), "message": str(answer.get("message") or ""),
                       "data": answer.get("data")}, status=400)
    task_id = answer.get("data")
    if not isinstance(task_id, str) or not task_id:
        raise UpstreamError(502, "the upstream accepted the Suno task without an id")
    return Accepted(provider_task_id=task_id, status=QUEUED, upstream_status="SUBMITTED")


def fetch(task) -> Fetch:
    return Fetch("POST", "/suno/fetch", {"ids": [task.provider_task_id], "action": door.ACTIONS[task.action]})


def _item(answer: dict, task) -> dict:
    data = answer.get("data") if answer.get("code") == "success" else None
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict) and item.get("task_id") in (task.provider_task_id, None):
            return item
    raise UpstreamError(502, f"the upstream does not list the task: {str(answer.get('message') or '')[:200]}")


def _progress(value) -> int:
    try:
        return max(0, min(int(float(str(value).rstrip("%"))), 100))
    except (TypeError, ValueError):
        return 0


def read(answer: dict, task) -> Poll:
    item = _item(answer, task)
    word = str(item.get("status") or "").upper()
    status = STATUSES.get(word, IN_PROGRESS if word else QUEUED)
    data = item.get("data")
    clips = [clip for clip in (data if isinstance(data, list) else [data]) if isinstance(clip, dict)]
    result = {"clips": clips, "start_time": item.get("start_time") or 0}
    return Poll(status=status, progress=100 if status == SUCCEEDED else _progress(item.get("progress")),
                upstream_status=word[:64] or None, result=result,
                error=str(item.get("fail_reason") or "") or None)


def measure(task) -> Usage:
    return Usage()  # the request price


def params(ask) -> dict:
    return {"action": ask.path.rsplit("/", 1)[1], "prompt": ask.body.get("prompt") or
            ask.body.get("gpt_description_prompt"), "mv": ask.body.get("mv")}


def clips(task, base: str = "") -> list:
    """The clips, their locations replaced by Tollgate's relays (blank
    until the task has succeeded: the relays serve finished tasks only)."""
    shown = []
    for n, clip in enumerate((task.result or {}).get("clips") or ()):
        clip = dict(clip)
        for kind, name in MEDIA.items():
            if clip.get(name):
                clip[name] = f"{base}/suno/clips/{task.id}/{n}/{kind}" if task.status == SUCCEEDED else ""
        shown.append(clip)
    return shown


def view(task, base: str = "") -> dict:
    """new-api's task (TaskDto) under our id."""
    if task.status == QUEUED:
        status = task.upstream_status if task.upstream_status in WAITING else "SUBMITTED"
    else:
        status = CLIENT_STATUS[task.status]
    return {"task_id": task.id, "action": door.ACTIONS.get(task.action, str(task.action).upper()),
            "status": status, "fail_reason": (task.error or "") if task.status == FAILED else "",
            "submit_time": epoch(task.created_at), "start_time": (task.result or {}).get("start_time") or 0,
            "finish_time": epoch(task.finished_at) or 0,
            "progress": f"{100 if task.status == SUCCEEDED else task.progress}%", "data": clips(task, base)}


FAMILY = Family(name=door.DIALECT, door=door.DOOR, id_prefix="suno_", accept=accept, fetch=fetch, read=read,
                view=view, measure=measure, params=params)

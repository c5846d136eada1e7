"""Kling videos as a task family: Kling's task answers read into a task, and
our task written back in Kling's shape under our id, its video a Tollgate
URL (the provider's is relayed, never shown).

Kling's statuses are submitted, processing, succeed and failed; a finished
task's `task_result.videos[].duration` (seconds, as a string) is what it is
billed on, rounded up to a whole second and never above the hold. An answer
whose `code` is not 0 did not take the submit (nothing is charged)."""
from __future__ import annotations

import math

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Usage
from services.relay.adapters.base import UpstreamError
from services.relay.doors import kling as door
from services.tasks.family import Accepted, Family, Fetch, Poll, Refused
from services.tasks.store import epoch

STATUSES = {"submitted": QUEUED, "processing": IN_PROGRESS, "succeed": SUCCEEDED, "failed": FAILED}
CLIENT_STATUS = {QUEUED: "submitted", IN_PROGRESS: "processing", SUCCEEDED: "succeed", FAILED: "failed"}


def _data(answer: dict) -> dict:
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def accept(answer: dict, call) -> Accepted:
    if answer.get("code") != 0:
        raise Refused(answer)
    data = _data(answer)
    task_id = data.get("task_id")
    if not isinstance(task_id, (str, int)) or isinstance(task_id, bool) or str(task_id) == "":
        raise UpstreamError(502, "the upstream accepted the video without a task_id")
    status = STATUSES.get(data.get("task_status"), QUEUED)
    return Accepted(provider_task_id=str(task_id), status=IN_PROGRESS if status == IN_PROGRESS else QUEUED,
                    upstream_status=str(data.get("task_status") or "")[:64] or None)


def fetch(task) -> Fetch:
    kind = task.action if task.action in door.KINDS else door.KINDS[0]
    return Fetch("GET", f"/v1/videos/{kind}/{task.provider_task_id}")


def _seconds(value) -> int | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return max(math.ceil(seconds), 0) if math.isfinite(seconds) else None


def read(answer: dict, task) -> Poll:
    data = _data(answer)
    word = data.get("task_status")
    if answer.get("code") not in (0, None):  # the upstream no longer knows the task, or refuses to say
        return Poll(status=FAILED, upstream_status=str(answer.get("code"))[:64],
                    error=str(answer.get("message") or "the provider failed the task")[:255])
    status = STATUSES.get(word, IN_PROGRESS)
    result_field = data.get("task_result") if isinstance(data.get("task_result"), dict) else {}
    videos = [v for v in result_field.get("videos") or [] if isinstance(v, dict)]
    held = (task.params or {}).get("duration") or door.DURATIONS[0]
    shown = [{"id": str(v.get("id") or ""), "duration": str(v.get("duration") or held)} for v in videos]
    result = {"videos": shown, "task_status_msg": str(data.get("task_status_msg") or "")[:255]}
    usage = None
    if status == SUCCEEDED:
        seconds = _seconds(videos[0].get("duration")) if videos else None
        usage = Usage(video_seconds=held if seconds is None else seconds,
                      video_size=(task.params or {}).get("mode"))
    url = videos[0].get("url") if videos and isinstance(videos[0].get("url"), str) else None
    return Poll(status=status, progress=100 if status == SUCCEEDED else (50 if status == IN_PROGRESS else 0),
                upstream_status=str(word or "")[:64] or None, usage=usage, result=result, result_url=url,
                error=result["task_status_msg"] or None)


def measure(task) -> Usage:
    params = task.params or {}
    return Usage(video_seconds=params.get("duration") or door.DURATIONS[0], video_size=params.get("mode"))


def params(ask) -> dict:
    return {"prompt": ask.body.get("prompt"), "duration": ask.bound.video_seconds, "mode": ask.bound.video_size}


def content_path(task) -> str:
    """Where the video is relayed by Tollgate (under the site's root)."""
    return f"/kling/v1/videos/{task.action or door.KINDS[0]}/{task.id}/content"


def view(task) -> dict:
    """The task in Kling's shape, under our id (`url`s relative to the site)."""
    result = task.result or {}
    data = {"task_id": task.id, "task_status": CLIENT_STATUS[task.status],
            "task_status_msg": task.error if task.status == FAILED else result.get("task_status_msg") or "",
            "created_at": epoch(task.created_at) * 1000, "updated_at": epoch(task.updated_at) * 1000}
    if task.status == SUCCEEDED:
        videos = result.get("videos") or [{"id": task.id, "duration": str((task.params or {}).get("duration"))}]
        data["task_result"] = {"videos": [{"id": video.get("id") or task.id, "url": content_path(task),
                                           "duration": video.get("duration")} for video in videos[:1]]}
    return {"code": 0, "message": "SUCCEED", "request_id": task.request_id, "data": data}


FAMILY = Family(name=door.DIALECT, door=door.DOOR, id_prefix="kling_", accept=accept, fetch=fetch, read=read,
                view=view, measure=measure, params=params)

"""Jimeng videos as a task family: Volcengine's CVSync2AsyncGetResult answers
read into a task, and our task written back in that shape under our id,
its `video_url` a Tollgate URL (the provider's is relayed, never shown).

Jimeng's statuses are in_queue, generating, done, not_found and expired; a
`code` other than 10000 is a failure (a submit answered so was not taken:
nothing is charged). It reports no length: success is billed the seconds
held (the `frames` asked for)."""
from __future__ import annotations

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Usage
from services.relay.adapters.base import UpstreamError
from services.relay.doors import jimeng as door
from services.tasks.family import Accepted, Family, Fetch, Poll, Refused

STATUSES = {"in_queue": QUEUED, "generating": IN_PROGRESS, "done": SUCCEEDED, "not_found": FAILED,
            "expired": FAILED}
CLIENT_STATUS = {QUEUED: "in_queue", IN_PROGRESS: "generating", SUCCEEDED: "done", FAILED: "failed"}


def _data(answer: dict) -> dict:
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def accept(answer: dict, call) -> Accepted:
    if answer.get("code") != door.OK:
        raise Refused(answer)
    task_id = _data(answer).get("task_id")
    if not isinstance(task_id, (str, int)) or isinstance(task_id, bool) or str(task_id) == "":
        raise UpstreamError(502, "the upstream accepted the task without a task_id")
    # The poll must name the upstream's req_key again: kept with the result.
    return Accepted(provider_task_id=str(task_id), result={"req_key": call.upstream_body.get("req_key")})


def fetch(task) -> Fetch:
    req_key = (task.result or {}).get("req_key") or task.model
    return Fetch("POST", door.RESULT_PATH, {"req_key": req_key, "task_id": task.provider_task_id})


def read(answer: dict, task) -> Poll:
    kept = {"req_key": (task.result or {}).get("req_key")}
    data = _data(answer)
    code = answer.get("code")
    if code != door.OK:
        return Poll(status=FAILED, upstream_status=str(code)[:64], result={**kept, "code": code},
                    error=str(answer.get("message") or "the provider failed the task")[:255])
    word = data.get("status")
    status = STATUSES.get(word, IN_PROGRESS)
    url = data.get("video_url") if isinstance(data.get("video_url"), str) and data.get("video_url") else None
    if status == SUCCEEDED and url is None:
        return Poll(status=FAILED, upstream_status=str(word)[:64], result=kept,
                    error="the provider finished the task without a video")
    return Poll(status=status, progress=100 if status == SUCCEEDED else (50 if status == IN_PROGRESS else 0),
                upstream_status=str(word or "")[:64] or None, result=kept, result_url=url,
                error=f"the provider reports the task {word}" if status == FAILED else None)


def measure(task) -> Usage:
    return Usage(video_seconds=(task.params or {}).get("seconds") or door.FRAMES[door.DEFAULT_FRAMES])


def params(ask) -> dict:
    return {"prompt": ask.body.get("prompt"), "seconds": ask.bound.video_seconds}


def content_path(task) -> str:
    return f"/jimeng/content/{task.id}"


def view(task) -> dict:
    """The task as CVSync2AsyncGetResult answers, under our id (`video_url` relative to the site)."""
    data = {"task_id": task.id, "status": CLIENT_STATUS[task.status],
            "video_url": content_path(task) if task.status == SUCCEEDED else None}
    if task.status == FAILED:
        code = (task.result or {}).get("code")
        code = code if isinstance(code, int) and code != door.OK else door.code_of(500)
        return {"code": code, "status": code, "message": task.error or "The task failed.",
                "request_id": task.request_id, "data": data}
    return {"code": door.OK, "status": door.OK, "message": "Success", "request_id": task.request_id, "data": data}


FAMILY = Family(name=door.DIALECT, door=door.DOOR, id_prefix="jimeng_", accept=accept, fetch=fetch, read=read,
                view=view, measure=measure, params=params)

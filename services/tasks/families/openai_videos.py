"""OpenAI videos (Sora) as a task family: the upstream's video object read
into a task, and our task written back as a video object under our id.

The upstream's statuses are queued, in_progress, completed and failed; its
`seconds` and `size` on completion are what the task is billed on (a
request that omitted `seconds` is billed what the upstream made, not a
guess)."""
from __future__ import annotations

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Usage
from services.relay.adapters.base import UpstreamError
from services.relay.doors import openai_videos as door
from services.tasks.store import epoch
from services.tasks.family import Accepted, Family, Fetch, Poll

STATUSES = {"queued": QUEUED, "in_progress": IN_PROGRESS, "processing": IN_PROGRESS,
            "completed": SUCCEEDED, "succeeded": SUCCEEDED, "failed": FAILED, "cancelled": FAILED}
CLIENT_STATUS = {QUEUED: "queued", IN_PROGRESS: "in_progress", SUCCEEDED: "completed", FAILED: "failed"}
VARIANTS = ("video", "thumbnail", "spritesheet")


def _progress(answer: dict) -> int:
    value = answer.get("progress")
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def accept(answer: dict, call) -> Accepted:
    video_id = answer.get("id")
    if not isinstance(video_id, str) or not video_id:
        raise UpstreamError(502, "the upstream accepted the video without an id")
    status = STATUSES.get(answer.get("status"), QUEUED)
    return Accepted(provider_task_id=video_id, status=IN_PROGRESS if status == IN_PROGRESS else QUEUED,
                    progress=_progress(answer), upstream_status=str(answer.get("status") or "")[:64] or None)


def fetch(task) -> Fetch:
    return Fetch("GET", f"/videos/{task.provider_task_id}")


def _seconds(value, default: int) -> int:
    try:
        return max(int(float(value)), 0)
    except (TypeError, ValueError):
        return default


def read(answer: dict, task) -> Poll:
    status = STATUSES.get(answer.get("status"), IN_PROGRESS)
    params = task.params or {}
    seconds = _seconds(answer.get("seconds"), params.get("seconds") or door.DEFAULT_SECONDS)
    size = answer.get("size") if isinstance(answer.get("size"), str) else params.get("size")
    result = {"seconds": str(seconds), "size": size}
    error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
    return Poll(status=status, progress=_progress(answer), upstream_status=str(answer.get("status"))[:64],
                usage=Usage(video_seconds=seconds, video_size=size) if status == SUCCEEDED else None,
                result=result, error=str(error.get("message") or "") or None)


def measure(task) -> Usage:
    params = task.params or {}
    return Usage(video_seconds=params.get("seconds") or door.DEFAULT_SECONDS, video_size=params.get("size"))


def params(ask) -> dict:
    bound = ask.bound
    return {"prompt": ask.body.get("prompt"), "seconds": bound.video_seconds, "size": bound.video_size}


def view(task) -> dict:
    """The task as OpenAI's video object, under our id."""
    params = task.params or {}
    result = task.result or {}
    video = {
        "id": task.id, "object": "video", "created_at": epoch(task.created_at),
        "status": CLIENT_STATUS[task.status], "model": params.get("client_model") or task.model,
        "progress": 100 if task.status == SUCCEEDED else task.progress,
        "seconds": str(result.get("seconds") or params.get("seconds") or door.DEFAULT_SECONDS),
        "size": result.get("size") or params.get("size"),
        "completed_at": epoch(task.finished_at) if task.status == SUCCEEDED else None,
        "expires_at": None, "remixed_from_video_id": params.get("remix_of"), "error": None,
    }
    if task.status == FAILED:
        video["error"] = {"code": "video_generation_failed", "message": task.error or "The video failed."}
    return video


FAMILY = Family(name=door.DIALECT, door=door.DOOR, id_prefix="video_", accept=accept, fetch=fetch, read=read,
                view=view, measure=measure, params=params)

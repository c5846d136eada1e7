"""DashScope's asynchronous images as a task family: its task (PENDING,
RUNNING, SUCCEEDED, FAILED, UNKNOWN for one it no longer knows) read into a
task, and the task written back as the images answer the client got at
submit (`task_id`, `provider_task_id`, `status`: pending, running,
succeeded, failed), its `data` the images at Tollgate's URLs once done
(services.tasks.image_tasks relays the bytes; the provider's signed URLs
are never shown)."""
from __future__ import annotations

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Usage
from services.relay.adapters.base import UpstreamError
from services.relay.doors import dashscope_images as door
from services.tasks.family import Accepted, Family, Fetch, Poll
from services.tasks.store import epoch

STATUSES = {"PENDING": QUEUED, "RUNNING": IN_PROGRESS, "SUCCEEDED": SUCCEEDED, "FAILED": FAILED,
            "CANCELED": FAILED, "UNKNOWN": FAILED}
CLIENT_STATUS = {QUEUED: "pending", IN_PROGRESS: "running", SUCCEEDED: "succeeded", FAILED: "failed"}


def _output(answer: dict) -> dict:
    output = answer.get("output")
    return output if isinstance(output, dict) else {}


def accept(answer: dict, call) -> Accepted:
    output = _output(answer)
    task_id = output.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise UpstreamError(502, f"the upstream accepted the images without a task id: {answer.get('message')}")
    word = str(output.get("task_status") or "PENDING")
    return Accepted(provider_task_id=task_id, status=IN_PROGRESS if word == "RUNNING" else QUEUED,
                    upstream_status=word[:64])


def fetch(task) -> Fetch:
    return Fetch("GET", f"/tasks/{task.provider_task_id}")


def read(answer: dict, task) -> Poll:
    output = _output(answer)
    word = str(output.get("task_status") or "")
    status = STATUSES.get(word, IN_PROGRESS)
    results = output.get("results") if isinstance(output.get("results"), list) else []
    urls = [r["url"] for r in results if isinstance(r, dict) and isinstance(r.get("url"), str) and r["url"]]
    usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
    count = usage.get("image_count")
    made = count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else len(urls)
    params = task.params or {}
    return Poll(status=status, upstream_status=word[:64] or None,
                progress=100 if status == SUCCEEDED else 50 if status == IN_PROGRESS else 0,
                usage=Usage(images=made, image_tier=params.get("tier")) if status == SUCCEEDED else None,
                result={"urls": urls, "images": made} if status == SUCCEEDED else None,
                error=str(output.get("message") or output.get("code") or f"the task is {word}")
                if status == FAILED else None)


def measure(task) -> Usage:
    params = task.params or {}
    return Usage(images=params.get("n") or 1, image_tier=params.get("tier"), estimated=True)


def params(ask) -> dict:
    return {"prompt": ask.body.get("prompt"), "n": ask.bound.images, "size": ask.body.get("size"),
            "tier": ask.bound.image_tier}


def view(task, base: str = "") -> dict:
    """The images answer of a task: `data` empty until it succeeded."""
    params = task.params or {}
    urls = ((task.result or {}).get("urls") or []) if task.status == SUCCEEDED else []
    body = {"created": epoch(task.created_at), "data": [{"url": f"{base}/images/tasks/{task.id}/{n}"}
                                                        for n in range(len(urls))],
            "task_id": task.id, "provider_task_id": task.provider_task_id, "status": CLIENT_STATUS[task.status],
            "model": params.get("client_model") or task.model}
    if task.status == FAILED:
        body["error"] = {"code": "image_generation_failed", "message": task.error or "The images failed."}
    return body


FAMILY = Family(name=door.DIALECT, door=door.DOOR, id_prefix="imgtask_", accept=accept, fetch=fetch, read=read,
                view=view, measure=measure, params=params)

"""Image generation as a task, for the views: which requests are tasks
(their model has the `async` capability), submit, find, and relay an image."""
from __future__ import annotations

from services.catalog.snapshot import current_catalog
from services.relay.errors import RelayError
from services.tasks import access
from services.tasks.families import dashscope_images
from services.tasks.submit import submit

FAMILY = dashscope_images.FAMILY
ASYNC = "async"  # the model capability that makes its images a task
WHAT = "image task"


def is_task(body) -> bool:
    """The request names a model the operator marked asynchronous."""
    name = body.get("model") if isinstance(body, dict) else None
    model = current_catalog().resolve(name) if isinstance(name, str) and name else None
    return model is not None and ASYNC in model.capabilities


def create(key, body: dict, *, request_id: str, client):
    return submit(key, FAMILY, body, {}, request_id=request_id, client=client)


def find(key, task_id: str):
    if not plausible(task_id):
        raise RelayError(404, "not_found", f"No {WHAT} '{str(task_id)[:80]}' was found.")
    return access.find(key, (FAMILY.name,), task_id, WHAT)


def content(key, task_id: str, n: str):
    task = find(key, task_id)
    n = index(n)
    urls = (task.result or {}).get("urls") or []
    if task.status == "succeeded" and not 0 <= n < len(urls):
        raise RelayError(404, "not_found", f"The task has no image {n}.")
    return access.content(task, urls[n] if 0 <= n < len(urls) else "", "image")


def view(task, base: str = "") -> dict:
    return FAMILY.view(task, base)


def index(value) -> int:
    """A result's number in a path ("0", "1", ...); -1 for anything else (a 404)."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 4 else -1


def plausible(task_id) -> bool:
    """Could be one of our ids (no database lookup for a NUL or a novel)."""
    return isinstance(task_id, str) and 0 < len(task_id) <= 64 and "\x00" not in task_id

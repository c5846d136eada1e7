"""Suno for the views (new-api's routes): submit, fetch one or many, and
relay a clip's audio, image or video."""
from __future__ import annotations

from services.relay.doors.suno import SunoRequest, action_of
from services.relay.errors import RelayError, invalid_request
from services.tasks import access, store
from services.tasks.families import suno
from services.tasks.image_tasks import index, plausible
from services.tasks.family import Refused
from services.tasks.submit import submit as submit_task

FAMILY = suno.FAMILY
WHAT = "task"
MAX_IDS = 100


def submit(key, action: str, body, *, request_id: str, client):
    """The new task, or the upstream's refusal (a Refused). A continuation
    (`continue_clip_id` with our `task_id`) goes to the channel that made
    the clip, under the provider's id of that task."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    action = action_of(action)
    channel_id = None
    if body.get("continue_clip_id"):
        if not body.get("task_id"):
            raise RelayError(400, "invalid_request", "A continuation needs the 'task_id' of its clip's task.")
        original = find(key, body["task_id"])
        body = {**body, "task_id": original.provider_task_id}
        channel_id = original.channel_id
    return submit_task(key, FAMILY, SunoRequest(body, action, channel_id), {}, request_id=request_id, client=client)


def find(key, task_id):
    if not plausible(task_id):
        raise RelayError(404, "not_found", f"No {WHAT} '{str(task_id)[:80]}' was found.")
    return access.find(key, (FAMILY.name,), task_id, WHAT)


def find_many(key, ids) -> list:
    """The account's tasks among `ids`, in their order; others are left
    out, as new-api does."""
    if not isinstance(ids, list) or len(ids) > MAX_IDS:
        raise invalid_request(f"'ids' must be an array of at most {MAX_IDS} task ids.")
    found = [store.visible(key.account_id, task_id, (FAMILY.name,)) for task_id in ids if plausible(task_id)]
    return [task for task in found if task is not None]


def clip(key, task_id: str, n: str, kind: str):
    task = find(key, task_id)
    n = index(n)
    if kind not in suno.MEDIA:
        raise RelayError(404, "not_found", f"No clip part '{kind[:40]}'.")
    clips = (task.result or {}).get("clips") or []
    location = clips[n].get(suno.MEDIA[kind]) if 0 <= n < len(clips) else None
    if task.status == "succeeded" and not location:
        raise RelayError(404, "not_found", f"The task has no {kind} for clip {n}.")
    return access.content(task, location or "", "clip")


def view(task, base: str = "") -> dict:
    return suno.view(task, base)


__all__ = ["Refused", "submit", "find", "find_many", "clip", "view"]

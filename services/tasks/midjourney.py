"""Midjourney for the views: the six submits, a task, a list of tasks and a
task's image. A follow-up (action, modal, change) names an earlier task by
our id: it is this account's or unknown (404), and it goes to the channel
that made that task, under the provider's id for it."""
from __future__ import annotations

from services.relay.doors import midjourney as door
from services.relay.doors.midjourney import MjRequest
from services.relay.errors import RelayError, invalid_request
from services.tasks import access, store
from services.tasks.family import Refused
from services.tasks.families import midjourney
from services.tasks.submit import submit as submit_task

FAMILY = midjourney.FAMILY
WHAT = "task"
MAX_IDS = 100


def find(key, task_id) -> object:
    return access.find(key, (FAMILY.name,), task_id, WHAT)


def submit(key, kind: str, body: dict, *, request_id: str, client) -> tuple[dict, int]:
    """(the submit's answer, HTTP status): our task's id in `result`, or the
    provider's refusal as it came (nothing charged)."""
    if kind not in door.KINDS:
        raise invalid_request(f"Unknown submit '{kind}'.")
    fields, action, channel_id, extra = dict(body), None, None, {}
    if kind in ("action", "modal", "change"):
        if not isinstance(body.get("taskId"), str) or not body["taskId"]:
            raise invalid_request("'taskId' must be the id of one of your tasks.")
        original = find(key, body["taskId"])
        fields["taskId"], channel_id = original.provider_task_id, original.channel_id
        extra = {"parent": original.id}
        if kind == "action":
            action = door.action_of(body.get("customId"))
        elif kind == "change":
            action = door.change_action(body)
    request = MjRequest(fields, kind, action=action, channel_id=channel_id)
    outcome = submit_task(key, FAMILY, request, {}, request_id=request_id, client=client,
                          params={"action": request.action, **extra})
    if isinstance(outcome, Refused):
        return outcome.answer, outcome.status
    return midjourney.submit_answer(outcome), 200


def view(task, site: str) -> dict:
    """The task object; its image a URL of Tollgate's (`site` its root)."""
    shown = FAMILY.view(task)
    if shown["imageUrl"]:
        shown["imageUrl"] = site + shown["imageUrl"]
    return shown


def fetch(key, task_id: str, site: str) -> dict:
    return view(find(key, task_id), site)


def list_by_condition(key, body, site: str) -> list[dict]:
    """This account's tasks among `ids`, in their order; others' and unknown ids left out."""
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid_request("'ids' must be a list of task ids.")
    if len(ids) > MAX_IDS:
        raise invalid_request(f"At most {MAX_IDS} ids at a time.")
    found = (store.visible(key.account_id, task_id, (FAMILY.name,)) for task_id in dict.fromkeys(ids))
    return [view(task, site) for task in found if task is not None]


def image(key, task_id: str):
    task = find(key, task_id)
    if task.result_url is None and task.status == "succeeded":
        raise RelayError(404, "not_found", "This task made no image.")
    return access.content(task, task.result_url or "", "image")

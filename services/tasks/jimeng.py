"""Jimeng for the views: the two actions of POST /jimeng/ (submit a task,
get its result) and the video relayed. Another account's task id is as
unknown as a made-up one."""
from __future__ import annotations

from services.relay.doors import jimeng as door
from services.relay.errors import RelayError, invalid_request
from services.tasks import access
from services.tasks.family import Refused
from services.tasks.families import jimeng
from services.tasks.submit import submit as submit_task

FAMILY = jimeng.FAMILY
WHAT = "task"


def submit(key, body: dict, *, request_id: str, client) -> tuple[dict, int]:
    """(the answer, HTTP status): our task's id, or Volcengine's refusal as it came (nothing charged)."""
    if isinstance(body.get("req_key"), str):
        body = {**body, "model": body["req_key"]}  # where the request log reads a refused request's model
    outcome = submit_task(key, FAMILY, body, {}, request_id=request_id, client=client)
    if isinstance(outcome, Refused):
        return outcome.answer, outcome.status
    return {"code": door.OK, "status": door.OK, "message": "Success", "request_id": outcome.request_id,
            "data": {"task_id": outcome.id}}, 200


def find(key, task_id):
    return access.find(key, (FAMILY.name,), task_id, WHAT)


def view(task, site: str) -> dict:
    shown = FAMILY.view(task)
    if shown["data"]["video_url"]:
        shown["data"]["video_url"] = site + shown["data"]["video_url"]
    return shown


def result(key, body: dict, site: str) -> dict:
    task_id = body.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise invalid_request("'task_id' must be the id of one of your tasks.")
    return view(find(key, task_id), site)


def act(key, action: str | None, body, *, request_id: str, client, site: str) -> tuple[dict, int]:
    """One POST /jimeng/ by its `Action`."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    if action == door.SUBMIT:
        return submit(key, body, request_id=request_id, client=client)
    if action == door.RESULT:
        return result(key, body, site), 200
    raise invalid_request(f"'Action' must be {door.SUBMIT} or {door.RESULT}.")


def content(key, task_id: str):
    task = find(key, task_id)
    if task.status == "succeeded" and not task.result_url:
        raise RelayError(404, "not_found", "The provider reported no video for this task.")
    return access.content(task, task.result_url or "", "video")

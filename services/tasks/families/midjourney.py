"""Midjourney (midjourney-proxy's API) as a task family: the submit's return
code read into a task, the provider's task (GET /mj/task/{id}/fetch, or
several of one channel at once by POST /mj/task/list-by-condition) into
polls, and our task written back as midjourney-proxy's task object under
our id, its image at Tollgate's /mj/image/{id}.

Return codes: 1 submitted and 22 in queue are accepted (a task with an id
that will run: charged when it succeeds, as new-api charges them); every
other code (21 exists, 23 queue full, 24 banned prompt, errors) is passed
to the client as it came and charged nothing. Its `result`, a provider's
id, is shown only as our id of the same task, else left out."""
from __future__ import annotations

from models.task import FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from services.billing.pricing import Usage
from services.relay.adapters.base import UpstreamError
from services.relay.doors import midjourney as door
from services.tasks import store
from services.tasks.family import Accepted, Family, Fetch, Poll, Refused
from services.tasks.store import epoch

ACCEPTED = (1, 22)
STATUSES = {"NOT_START": QUEUED, "SUBMITTED": QUEUED, "MODAL": IN_PROGRESS, "IN_PROGRESS": IN_PROGRESS,
            "SUCCESS": SUCCEEDED, "FAILURE": FAILED, "CANCEL": FAILED}
OPEN_STATUSES = ("NOT_START", "SUBMITTED", "IN_PROGRESS")
ACTIONS = {model: action for action, model in door.MODELS.items()}
# The provider's fields a task view repeats (its ids and URLs are not among them).
COPIED = ("action", "prompt", "promptEn", "description", "startTime", "failReason", "buttons")


def properties(value) -> dict:
    """The provider's properties without what names its accounts and hooks."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items()
            if not k.lower().startswith(("discord", "notify", "nonce", "message", "progressmessage"))}


def _code(answer: dict):
    code = answer.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        raise UpstreamError(502, "the upstream answered the submit without a return code")
    return code


def accept(answer: dict, call) -> Accepted:
    code = _code(answer)
    result = answer.get("result")
    if code not in ACCEPTED:
        ours = store.by_provider_id(call.key.account_id, door.DIALECT, str(result)) if result else None
        ours = ours if ours is not None and ours.channel_id == call.channel.id else None  # ids are per provider
        raise Refused({"code": code, "description": answer.get("description") or "",
                       "result": ours.id if ours is not None else None,
                       "properties": properties(answer.get("properties"))})
    if not isinstance(result, (str, int)) or isinstance(result, bool) or not str(result):
        raise UpstreamError(502, "the upstream accepted the task without an id")
    submit = {"code": code, "description": answer.get("description") or "",
              "properties": properties(answer.get("properties"))}
    return Accepted(provider_task_id=str(result), status=QUEUED,
                    upstream_status="SUBMITTED" if code == 1 else "IN_QUEUE", result={"submit": submit})


def fetch(task) -> Fetch:
    return Fetch("GET", f"/mj/task/{task.provider_task_id}/fetch")


def _by_id(answer) -> dict:
    listed = answer if isinstance(answer, list) else []
    return {str(item["id"]): item for item in listed if isinstance(item, dict) and item.get("id") is not None}


def fetch_many(tasks) -> tuple[Fetch, object]:
    """Open tasks of one channel in one call (midjourney-proxy's list-by-condition)."""
    return Fetch("POST", "/mj/task/list-by-condition", {"ids": [task.provider_task_id for task in tasks]}), _by_id


def _percent(value) -> int:
    """midjourney-proxy's "45%" (or a bare number) as 0..100."""
    if isinstance(value, bool):
        return 0
    try:
        return max(0, min(int(float(value.strip().rstrip("%") if isinstance(value, str) else value)), 100))
    except (TypeError, ValueError, OverflowError):
        return 0


def read(answer: dict, task) -> Poll:
    if not isinstance(answer, dict):  # not a task object: asked again at the next poll
        return Poll(status=IN_PROGRESS, progress=task.progress if task is not None else 0)
    upstream = answer.get("status") if isinstance(answer.get("status"), str) else None
    status = STATUSES.get(upstream or "", IN_PROGRESS)
    result = {name: answer.get(name) for name in COPIED if answer.get(name) is not None}
    result["properties"] = properties(answer.get("properties"))
    image = answer.get("imageUrl")
    for name, kind in (("startTime", int), ("buttons", list)):  # the shapes the views promise
        if not isinstance(result.get(name), kind):
            result.pop(name, None)
    return Poll(status=status, progress=_percent(answer.get("progress")),
                upstream_status=(upstream or "")[:64] or None, result=result,
                result_url=image if isinstance(image, str) and image else None,
                error=str(answer.get("failReason") or "") or None)


def measure(task) -> Usage:
    return Usage()  # the action's request price


def params(ask) -> dict:
    """What the views echo; the action and the task acted on come from the submit (services.tasks.midjourney)."""
    return {"action": ACTIONS.get(ask.model_id), "prompt": ask.body.get("prompt"), "state": ask.body.get("state")}


def _status(task) -> str:
    if task.status == SUCCEEDED:
        return "SUCCESS"
    if task.status == FAILED:
        return "FAILURE"
    if task.upstream_status in OPEN_STATUSES:
        return task.upstream_status
    return "IN_PROGRESS" if task.status == IN_PROGRESS else "SUBMITTED"


def _ms(moment) -> int | None:
    seconds = epoch(moment)
    return seconds * 1000 if seconds is not None else None


def view(task) -> dict:
    """The task as midjourney-proxy's task object under our id; `imageUrl`
    is Tollgate's path (the views make it absolute)."""
    params = task.params or {}
    result = task.result or {}
    done = task.status == SUCCEEDED
    return {
        "id": task.id, "action": result.get("action") or task.action,
        "prompt": result.get("prompt", params.get("prompt")), "promptEn": result.get("promptEn"),
        "description": result.get("description"), "state": params.get("state"),
        "submitTime": _ms(task.created_at), "startTime": result.get("startTime"),
        "finishTime": _ms(task.finished_at) if task.finished_at else None,
        "imageUrl": f"/mj/image/{task.id}" if done and task.result_url else None,
        "status": _status(task), "progress": "100%" if done else f"{task.progress}%",
        "failReason": (task.error or result.get("failReason") or "") if task.status == FAILED else None,
        "buttons": result.get("buttons") or [], "properties": result.get("properties") or {},
    }


def submit_answer(task) -> dict:
    """The submit's answer: the provider's code and words, our id."""
    submit = (task.result or {}).get("submit") or {"code": 1, "description": "Submit success", "properties": {}}
    return {"code": submit["code"], "description": submit["description"], "result": task.id,
            "properties": submit.get("properties") or {}}


FAMILY = Family(name=door.DIALECT, door=door.DOOR, id_prefix="mj_", accept=accept, fetch=fetch, read=read,
                view=view, measure=measure, params=params, fetch_many=fetch_many)

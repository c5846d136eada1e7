"""Suno as new-api serves it: POST /suno/submit/{music|lyrics}, GET
/suno/fetch/{id}, POST /suno/fetch {ids}, and the clips' bytes at
GET /suno/clips/{id}/{n}/{audio|image|image_large|video}. Answers are
`{code: "success", message: "", data}`."""
from __future__ import annotations

from flask import g, request

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import client_info, content_response, json_response
from blueprints.task_api import bp
from services.relay.doors import suno as door
from services.tasks import suno
from services.tasks.family import Refused

DOOR = door.DOOR


def _base() -> str:
    return request.host_url.rstrip("/")


@bp.post("/suno/submit/<action>")
@api_view(DOOR)
def suno_submit(action):
    task = suno.submit(g.api_key, action, read_json_body(), request_id=g.request_id, client=client_info())
    if isinstance(task, Refused):
        return json_response(task.answer, task.status)
    return json_response(door.success(task.id))


@bp.get("/suno/fetch/<task_id>")
@api_view(DOOR)
def suno_fetch_one(task_id):
    return json_response(door.success(suno.view(suno.find(g.api_key, task_id), _base())))


@bp.post("/suno/fetch")
@api_view(DOOR)
def suno_fetch_many():
    body = read_json_body()
    ids = body.get("ids", []) if isinstance(body, dict) else None
    return json_response(door.success([suno.view(task, _base()) for task in suno.find_many(g.api_key, ids)]))


@bp.get("/suno/clips/<task_id>/<n>/<kind>")
@api_view(DOOR)
def suno_clip(task_id, n, kind):
    return content_response(suno.clip(g.api_key, task_id, n, kind))

"""Midjourney at the root, as midjourney-proxy and new-api serve it:
POST /mj/submit/{imagine,action,blend,describe,modal,change},
GET /mj/task/{id}/fetch, POST /mj/task/list-by-condition and
GET /mj/image/{id} (the image relayed through Tollgate)."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import client_info
from blueprints.task_api import bp
from services.relay.doors import midjourney as door
from services.relay.errors import invalid_request
from services.tasks import midjourney

DOOR = door.DOOR


def _json(body, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def _site() -> str:
    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


@api_view(DOOR)
def mj_submit(kind):
    body = read_json_body()
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    answer, status = midjourney.submit(g.api_key, kind, body, request_id=g.request_id, client=client_info())
    return _json(answer, status)


for _kind in door.KINDS:  # one rule a submit: each is its own documented operation
    bp.add_url_rule(f"/mj/submit/{_kind}", "mj_submit", mj_submit, methods=["POST"], defaults={"kind": _kind})


@bp.get("/mj/task/<task_id>/fetch")
@api_view(DOOR)
def mj_fetch(task_id):
    return _json(midjourney.fetch(g.api_key, task_id, _site()))


@bp.post("/mj/task/list-by-condition")
@api_view(DOOR)
def mj_list_by_condition():
    return _json(midjourney.list_by_condition(g.api_key, read_json_body(), _site()))


@bp.get("/mj/image/<task_id>")
@api_view(DOOR)
def mj_image(task_id):
    result = midjourney.image(g.api_key, task_id)
    headers = {"Content-Length": result.length} if result.length else {}
    return Response(result, content_type=result.content_type, headers=headers, direct_passthrough=True)

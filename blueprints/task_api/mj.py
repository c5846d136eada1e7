"""Midjourney at the root, as midjourney-proxy and new-api serve it:
POST /mj/submit/{imagine,action,blend,describe,modal,change},
GET /mj/task/{id}/fetch, POST /mj/task/list-by-condition and
GET /mj/image/{id} (the image relayed through Tollgate)."""
from __future__ import annotations

from flask import g

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body, read_json_object
from blueprints.api_v1.relaying import client_info, content_response, json_response, site_url
from blueprints.task_api import bp
from services.relay.doors import midjourney as door
from services.tasks import midjourney

DOOR = door.DOOR


@api_view(DOOR)
def mj_submit(kind):
    body = read_json_object()
    answer, status = midjourney.submit(g.api_key, kind, body, request_id=g.request_id, client=client_info())
    return json_response(answer, status)


for _kind in door.KINDS:  # one rule a submit: each is its own documented operation
    bp.add_url_rule(f"/mj/submit/{_kind}", "mj_submit", mj_submit, methods=["POST"], defaults={"kind": _kind})


@bp.get("/mj/task/<task_id>/fetch")
@api_view(DOOR)
def mj_fetch(task_id):
    return json_response(midjourney.fetch(g.api_key, task_id, site_url()))


@bp.post("/mj/task/list-by-condition")
@api_view(DOOR)
def mj_list_by_condition():
    return json_response(midjourney.list_by_condition(g.api_key, read_json_body(), site_url()))


@bp.get("/mj/image/<task_id>")
@api_view(DOOR)
def mj_image(task_id):
    return content_response(midjourney.image(g.api_key, task_id))

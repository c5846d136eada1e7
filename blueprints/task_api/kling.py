"""Kling at the root, as Kling's API and new-api serve it:
POST /kling/v1/videos/{text2video,image2video}, GET
/kling/v1/videos/{kind}/{task_id}, and the video relayed through Tollgate at
GET /kling/v1/videos/{kind}/{task_id}/content (the key required)."""
from __future__ import annotations

from flask import g

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_object
from blueprints.api_v1.relaying import client_info, content_response, json_response, site_url
from blueprints.task_api import bp
from services.relay.doors import kling as door
from services.tasks import kling

DOOR = door.DOOR


@api_view(DOOR)
def kling_submit(kind):
    body = read_json_object()
    answer, status = kling.submit(g.api_key, kind, body, request_id=g.request_id, client=client_info())
    return json_response(answer, status)


@api_view(DOOR)
def kling_fetch(kind, task_id):
    return json_response(kling.fetch(g.api_key, task_id, site_url()))


@api_view(DOOR)
def kling_content(kind, task_id):
    return content_response(kling.content(g.api_key, task_id))


for _kind in door.KINDS:  # one rule a kind: each is its own documented operation
    base = f"/kling/v1/videos/{_kind}"
    bp.add_url_rule(base, f"kling_submit_{_kind}", kling_submit, methods=["POST"], defaults={"kind": _kind})
    bp.add_url_rule(base + "/<task_id>", f"kling_fetch_{_kind}", kling_fetch, methods=["GET"],
                    defaults={"kind": _kind})
    bp.add_url_rule(base + "/<task_id>/content", f"kling_content_{_kind}", kling_content, methods=["GET"],
                    defaults={"kind": _kind})

"""Jimeng at the root, as Volcengine's visual API and new-api serve it:
POST /jimeng/?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=2022-08-31,
and the video relayed through Tollgate at GET /jimeng/content/{task_id}
(the key required)."""
from __future__ import annotations

from flask import g, request

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import client_info, content_response, json_response, site_url
from blueprints.task_api import bp
from services.relay.doors import jimeng as door
from services.tasks import jimeng

DOOR = door.DOOR


@bp.post("/jimeng/")
@api_view(DOOR)
def jimeng_action():
    answer, status = jimeng.act(g.api_key, request.args.get("Action"), read_json_body(),
                                request_id=g.request_id, client=client_info(), site=site_url())
    return json_response(answer, status)


@bp.get("/jimeng/content/<task_id>")
@api_view(DOOR)
def jimeng_content(task_id):
    return content_response(jimeng.content(g.api_key, task_id))

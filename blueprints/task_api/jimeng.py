"""Jimeng at the root, as Volcengine's visual API and new-api serve it:
POST /jimeng/?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult&Version=2022-08-31,
and the video relayed through Tollgate at GET /jimeng/content/{task_id}
(the key required)."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import client_info
from blueprints.task_api import bp
from services.relay.doors import jimeng as door
from services.tasks import jimeng

DOOR = door.DOOR


def _site() -> str:
    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


@bp.post("/jimeng/")
@api_view(DOOR)
def jimeng_action():
    answer, status = jimeng.act(g.api_key, request.args.get("Action"), read_json_body(),
                                request_id=g.request_id, client=client_info(), site=_site())
    return Response(orjson.dumps(answer), status=status, mimetype="application/json")


@bp.get("/jimeng/content/<task_id>")
@api_view(DOOR)
def jimeng_content(task_id):
    result = jimeng.content(g.api_key, task_id)
    headers = {"Content-Length": result.length} if result.length else {}
    return Response(result, content_type=result.content_type, headers=headers, direct_passthrough=True)

"""Kling at the root, as Kling's API and new-api serve it:
POST /kling/v1/videos/{text2video,image2video}, GET
/kling/v1/videos/{kind}/{task_id}, and the video relayed through Tollgate at
GET /kling/v1/videos/{kind}/{task_id}/content (the key required)."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import client_info
from blueprints.task_api import bp
from services.relay.doors import kling as door
from services.relay.errors import invalid_request
from services.tasks import kling

DOOR = door.DOOR


def _json(body, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def _site() -> str:
    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


@api_view(DOOR)
def kling_submit(kind):
    body = read_json_body()
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    answer, status = kling.submit(g.api_key, kind, body, request_id=g.request_id, client=client_info())
    return _json(answer, status)


@api_view(DOOR)
def kling_fetch(kind, task_id):
    return _json(kling.fetch(g.api_key, task_id, _site()))


@api_view(DOOR)
def kling_content(kind, task_id):
    result = kling.content(g.api_key, task_id)
    headers = {"Content-Length": result.length} if result.length else {}
    return Response(result, content_type=result.content_type, headers=headers, direct_passthrough=True)


for _kind in door.KINDS:  # one rule a kind: each is its own documented operation
    base = f"/kling/v1/videos/{_kind}"
    bp.add_url_rule(base, f"kling_submit_{_kind}", kling_submit, methods=["POST"], defaults={"kind": _kind})
    bp.add_url_rule(base + "/<task_id>", f"kling_fetch_{_kind}", kling_fetch, methods=["GET"],
                    defaults={"kind": _kind})
    bp.add_url_rule(base + "/<task_id>/content", f"kling_content_{_kind}", kling_content, methods=["GET"],
                    defaults={"kind": _kind})

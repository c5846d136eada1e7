"""The videos door (OpenAI's Sora API): POST /v1/videos (JSON, or multipart
with `input_reference`), GET /v1/videos/{id}, GET /v1/videos/{id}/content,
POST /v1/videos/{id}/remix. A video is a task (services.tasks): the submit
answers at once, the poller follows it, and the client polls us."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import client_info
from blueprints.api_v1.uploads import file_part, read_form
from services.relay.doors import openai_videos
from services.relay.doors.openai_videos import VideoRequest
from services.relay.errors import invalid_request
from services.tasks import videos

DOOR = openai_videos.DOOR


def _json(body: dict, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


@bp.post("/videos")
@api_view(DOOR)
def create_video():
    if request.mimetype == "multipart/form-data":
        fields, files = read_form(current_app.config["IMAGE_UPLOAD_MAX_BYTES"])
        body = VideoRequest(fields, [file_part(name, storage) for name, storage in files.items(multi=True)])
    else:
        body = read_json_body()
        if not isinstance(body, dict):
            raise invalid_request("The request body must be a JSON object.")
        body = VideoRequest(body)
    task = videos.create(g.api_key, body, request_id=g.request_id, client=client_info())
    return _json(videos.view(task))


@bp.get("/videos/<video_id>")
@api_view(DOOR)
def get_video(video_id):
    return _json(videos.view(videos.find(g.api_key, video_id)))


@bp.get("/videos/<video_id>/content")
@api_view(DOOR)
def video_content(video_id):
    result = videos.content(g.api_key, video_id, request.args.get("variant") or "video")
    headers = {"Content-Length": result.length} if result.length else {}
    return Response(result, content_type=result.content_type, headers=headers, direct_passthrough=True)


@bp.post("/videos/<video_id>/remix")
@api_view(DOOR)
def remix_video(video_id):
    body = read_json_body()
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    task = videos.remix(g.api_key, video_id, body, request_id=g.request_id, client=client_info())
    return _json(videos.view(task))



"""The videos door (OpenAI's Sora API): POST /v1/videos (JSON, or multipart
with `input_reference`), GET /v1/videos/{id}, GET /v1/videos/{id}/content,
POST /v1/videos/{id}/remix. A video is a task (services.tasks): the submit
answers at once, the poller follows it, and the client polls us."""
from __future__ import annotations

from flask import current_app, g, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_object
from blueprints.api_v1.relaying import client_info, content_response, json_response
from blueprints.api_v1.uploads import file_part, read_form
from services.relay.doors import openai_videos
from services.relay.doors.openai_videos import VideoRequest
from services.tasks import videos

DOOR = openai_videos.DOOR


@bp.post("/videos")
@api_view(DOOR)
def create_video():
    if request.mimetype == "multipart/form-data":
        fields, files = read_form(current_app.config["IMAGE_UPLOAD_MAX_BYTES"])
        body = VideoRequest(fields, [file_part(name, storage) for name, storage in files.items(multi=True)])
    else:
        body = VideoRequest(read_json_object())
    task = videos.create(g.api_key, body, request_id=g.request_id, client=client_info())
    return json_response(videos.view(task))


@bp.get("/videos/<video_id>")
@api_view(DOOR)
def get_video(video_id):
    return json_response(videos.view(videos.find(g.api_key, video_id)))


@bp.get("/videos/<video_id>/content")
@api_view(DOOR)
def video_content(video_id):
    return content_response(videos.content(g.api_key, video_id, request.args.get("variant") or "video"))


@bp.post("/videos/<video_id>/remix")
@api_view(DOOR)
def remix_video(video_id):
    body = read_json_object()
    task = videos.remix(g.api_key, video_id, body, request_id=g.request_id, client=client_info())
    return json_response(videos.view(task))



"""The OpenAPI description of the videos routes (OpenAI's Sora API): a
video is a task, answered at once and polled. Merged into the /v1 paths by
blueprints.apidocs.spec."""
from __future__ import annotations

from blueprints.apidocs.spec import OPENAI_SECURITY, RATE_HEADERS, STR, INT, json_content, obj, openai_errors

STATUS = {"enum": ["queued", "in_progress", "completed", "failed"]}
VIDEO = obj({
    "id": {"type": "string", "description": "Tollgate's id (`video_...`), never the provider's."},
    "object": {"const": "video"}, "created_at": INT, "status": STATUS, "model": STR,
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "seconds": STR, "size": STR, "completed_at": {"type": ["integer", "null"]},
    "expires_at": {"type": ["integer", "null"]}, "remixed_from_video_id": {"type": ["string", "null"]},
    "error": {"oneOf": [{"type": "null"}, obj({"code": STR, "message": STR}, ["code", "message"])]},
}, ["id", "object", "status", "model", "progress"])
EXAMPLE = {"id": "video_4f1c0a9e2b7d6c5a3e8f9b10", "object": "video", "created_at": 1764700000, "status": "queued",
           "model": "sora-2", "progress": 0, "seconds": "8", "size": "1280x720", "completed_at": None,
           "expires_at": None, "remixed_from_video_id": None, "error": None}
CREATE = obj({
    "model": {"type": "string", "minLength": 1}, "prompt": {"type": "string", "minLength": 1},
    "seconds": {"type": "string", "description": "Seconds of video (`\"4\"`, `\"8\"`, `\"12\"` on Sora); "
                                                 "default 4."},
    "size": {"type": "string", "description": "`WIDTHxHEIGHT`, default `720x1280`."},
}, ["model", "prompt"])
UPLOAD = obj({**CREATE["properties"], "input_reference": {
    "type": "string", "contentMediaType": "application/octet-stream",
    "description": "An image (PNG, JPEG, WEBP) or MP4 the video starts from."}}, ["model", "prompt"])
VIDEO_ID = {"name": "video_id", "in": "path", "required": True, "schema": STR, "example": EXAMPLE["id"]}
NOT_FOUND = {"description": "No such video for this account's keys (`not_found`): another account's id is as "
                            "unknown as a made-up one.", "content": json_content({"$ref": "#/components/schemas/"
                                                                                          "OpenAIError"})}


def _answer(description: str) -> dict:
    return {"description": description, "headers": RATE_HEADERS, "content": json_content(VIDEO, EXAMPLE)}


def video_paths() -> dict:
    return {
        "/videos": {"post": {
            "operationId": "createVideo", "tags": ["OpenAI"], "summary": "Create a video",
            "description": "OpenAI's videos API (`client.videos.create`) on a channel that speaks `openai.videos`. "
                           "Answered at once with a queued video; Tollgate polls the upstream. Held: the request "
                           "price plus `seconds` × the model's per-second price for `size`; charged the seconds "
                           "the upstream reports when the video completes (never more than the hold), released "
                           "when it fails or passes `TASK_TIMEOUT_MINUTES`.",
            "security": OPENAI_SECURITY,
            "requestBody": {"required": True, "content": {
                **json_content(CREATE, {"model": "sora-2", "prompt": "A lighthouse at dawn", "seconds": "8",
                                        "size": "1280x720"}),
                "multipart/form-data": {"schema": UPLOAD}}},
            "responses": {"200": _answer("The video, queued."), **openai_errors(400, 401, 402, 404, 413, 429, 502,
                                                                                503)}}},
        "/videos/{video_id}": {"get": {
            "operationId": "getVideo", "tags": ["OpenAI"], "summary": "Get a video",
            "description": "The video's status and progress, as Tollgate's poller last saw them.",
            "security": OPENAI_SECURITY, "parameters": [VIDEO_ID],
            "responses": {"200": _answer("The video."), **openai_errors(401, 429), "404": NOT_FOUND}}},
        "/videos/{video_id}/content": {"get": {
            "operationId": "getVideoContent", "tags": ["OpenAI"], "summary": "Download a video",
            "description": "The finished video's bytes (or its `thumbnail` or `spritesheet`), relayed from the "
                           "provider through Tollgate.",
            "security": OPENAI_SECURITY,
            "parameters": [VIDEO_ID, {"name": "variant", "in": "query", "required": False,
                                      "schema": {"enum": ["video", "thumbnail", "spritesheet"], "default": "video"}}],
            "responses": {"200": {"description": "The bytes.", "content": {
                kind: {"schema": {"type": "string", "contentMediaType": kind}}
                for kind in ("video/mp4", "image/webp", "image/jpeg")}},
                **openai_errors(400, 401, 429, 502),
                "404": {**NOT_FOUND, "description": "No such video, or not finished (`not_ready`)."}}}},
        "/videos/{video_id}/remix": {"post": {
            "operationId": "remixVideo", "tags": ["OpenAI"], "summary": "Remix a video",
            "description": "A new video from a finished one, on the channel that made it; held and billed as a "
                           "new video of the original's seconds and size.",
            "security": OPENAI_SECURITY, "parameters": [VIDEO_ID],
            "requestBody": {"required": True, "content": json_content(obj({"prompt": {"type": "string",
                                                                                      "minLength": 1}},
                                                                           ["prompt"]), {"prompt": "At dusk"})},
            "responses": {"200": _answer("The new video, queued."),
                          **openai_errors(400, 401, 402, 429, 502, 503), "404": NOT_FOUND}}},
    }

"""OpenAI's videos API (Sora) on the wire: POST /v1/videos (JSON or
multipart with `input_reference`), GET /v1/videos/{id}, GET
/v1/videos/{id}/content?variant=video|thumbnail|spritesheet and POST
/v1/videos/{id}/remix. A video's course is set by the prompt's directive
(tasks_wire): it is queued, in progress with rising progress, then
completed (its content a few bytes of MP4) or failed."""
from __future__ import annotations

import time

import orjson

from . import openai_wire, tasks_wire
from .images_wire import directive, parse_multipart

SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
CONTENT = {"video": ("video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isomFAKEVIDEO"),
           "thumbnail": ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 FAKE"),
           "spritesheet": ("image/jpeg", b"\xff\xd8\xff\xe0FAKEJPEG")}


def video_object(task) -> dict:
    status, progress = task.state()
    request = task.request
    seconds = task.behaviour.get("seconds", request.get("seconds") or "4")
    video = {"id": task.id, "object": "video", "created_at": int(task.created), "status": status,
             "model": request.get("model"), "progress": progress, "seconds": str(seconds),
             "size": request.get("size") or "720x1280", "remixed_from_video_id": request.get("remix_of"),
             "completed_at": int(time.time()) if status == "completed" else None, "expires_at": None,
             "error": None}
    if status == "failed":
        video["error"] = {"code": "moderation_blocked",
                          "message": task.behaviour.get("error_message") or "The video could not be made."}
    return video


def _submit(app, start_response, body: dict, rec, remix_of: str | None = None):
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        return app._error(start_response, "openai", 400, "Missing required parameter: 'prompt'.")
    if remix_of is None and body.get("size") not in (None, *SIZES):
        return app._error(start_response, "openai", 400, f"Invalid size {body.get('size')!r}.")
    if remix_of is None and str(body.get("seconds") or "4") not in ("4", "8", "12"):
        return app._error(start_response, "openai", 400, "Invalid seconds: choose 4, 8 or 12.")
    behaviour = directive(prompt)
    rec["directive"] = behaviour
    status = behaviour.get("status")
    if status and status != 200:
        return app._json(start_response, status, openai_wire.error_body(status, behaviour.get("error_message")))
    request = dict(body)
    if remix_of is not None:
        original = tasks_wire.get(app, remix_of)
        request.update(model=original.request.get("model"), size=original.request.get("size"),
                       seconds=original.request.get("seconds"), remix_of=remix_of)
    task = tasks_wire.add(app, "video", request, behaviour, "video_up_")
    return app._json(start_response, 200, orjson.dumps(video_object(task)))


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    denied = app._check_key(environ, start_response, "openai")
    if denied is not None:
        return denied
    parts = path[path.index("/v1/videos"):].strip("/").split("/")  # ["v1", "videos", id?, action?]
    if len(parts) == 2 and method == "POST":
        if (environ.get("CONTENT_TYPE") or "").startswith("multipart/form-data"):
            rec.pop("raw_body", None)
            body, files = parse_multipart(environ, raw)
            rec["form"], rec["files"] = body, files
        if not isinstance(body, dict):
            return app._error(start_response, "openai", 400, "We could not parse the JSON body of your request.")
        return _submit(app, start_response, body, rec)
    task = tasks_wire.get(app, parts[2]) if len(parts) > 2 else None
    if task is None:
        return app._error(start_response, "openai", 404, f"Video {parts[2] if len(parts) > 2 else ''} not found.")
    if len(parts) == 3 and method == "GET":
        return app._json(start_response, 200, orjson.dumps(video_object(task)))
    if len(parts) == 4 and parts[3] == "content" and method == "GET":
        if task.state()[0] != "completed":
            return app._error(start_response, "openai", 404, "Video is not ready.")
        query = environ.get("QUERY_STRING", "")
        variant = query.split("variant=", 1)[1].split("&")[0] if "variant=" in query else "video"
        if variant not in CONTENT:
            return app._error(start_response, "openai", 400, f"Invalid variant {variant!r}.")
        ctype, data = CONTENT[variant]
        data = data + task.id.encode()
        start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]
    if len(parts) == 4 and parts[3] == "remix" and method == "POST":
        if not isinstance(body, dict):
            return app._error(start_response, "openai", 400, "We could not parse the JSON body of your request.")
        return _submit(app, start_response, body, rec, remix_of=task.id)
    return app._error(start_response, "openai", 404, f"Unknown path {path}")

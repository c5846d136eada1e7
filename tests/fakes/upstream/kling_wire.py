"""Kling's video API on the wire, under /kling (as a relay serves it, and
as the channel's base URL names it: <fake>/kling): POST
/kling/v1/videos/{text2video,image2video}, GET /kling/v1/videos/{kind}/{id},
and the finished video at GET /kling/_cdn/{id}.mp4 (public, as Kling's CDN
URLs are).

Every API request must carry `Authorization: Bearer <JWT>` signed HS256
with SECRET_KEY, `iss` ACCESS_KEY, inside its nbf/exp window (Kling's 401,
code 1000/1004, otherwise). A task's course is its prompt's directive
(tasks_wire): `seconds` is the duration reported when done; `status` refuses
the submit with that HTTP status (`kling_code`: the code in the body);
`code` answers HTTP 200 with that code, the task not taken."""
from __future__ import annotations

import time

import jwt
import orjson

from . import tasks_wire
from .behaviour import rand_id
from .images_wire import directive

ACCESS_KEY = "kling-access-0123456789"
SECRET_KEY = "kling-secret-abcdefghijklmnopqrstuvwxyz"
KEY = f"{ACCESS_KEY}|{SECRET_KEY}"   # the channel's key
KINDS = ("text2video", "image2video")
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isomKLINGVIDEO"
STATUS = {"queued": "submitted", "in_progress": "processing", "completed": "succeed", "failed": "failed"}


def _answer(app, start_response, status: int, code: int, message: str, data=None):
    body = {"code": code, "message": message, "request_id": rand_id(16), "data": data}
    return app._json(start_response, status, orjson.dumps(body))


def check_token(environ) -> str | None:
    """None if the request's JWT is Kling's; else why not."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth[:7].lower() != "bearer ":
        return "Authorization is empty"
    try:
        claims = jwt.decode(auth[7:].strip(), SECRET_KEY, algorithms=["HS256"], options={"require": ["exp", "nbf"]})
    except jwt.ExpiredSignatureError:
        return "token expired"
    except jwt.PyJWTError as exc:
        return f"token invalid: {exc}"
    if claims.get("iss") != ACCESS_KEY:
        return "unknown access key"
    if claims["exp"] - claims["nbf"] > 1900:
        return "token lives too long"
    return None


def task_data(app, task, environ) -> dict:
    status, _progress = task.state()
    data = {"task_id": task.id, "task_status": STATUS[status], "task_status_msg": "",
            "created_at": int(task.created * 1000), "updated_at": int(time.time() * 1000)}
    if status == "failed":
        data["task_status_msg"] = task.behaviour.get("error_message") or "Failure to pass the risk control system"
    if status == "completed":
        host = environ.get("HTTP_HOST", "127.0.0.1")
        seconds = task.behaviour.get("seconds", task.request.get("duration") or "5")
        data["task_result"] = {"videos": [{"id": "vid_" + task.id, "url": f"http://{host}/kling/_cdn/{task.id}.mp4",
                                           "duration": str(seconds)}]}
    return data


def _submit(app, start_response, kind: str, body, rec):
    if not isinstance(body, dict):
        return _answer(app, start_response, 400, 1200, "Invalid request body")
    if not isinstance(body.get("model_name"), str) or not body["model_name"]:
        return _answer(app, start_response, 400, 1201, "model_name is required")
    if kind == "text2video" and not body.get("prompt"):
        return _answer(app, start_response, 400, 1201, "prompt is required")
    if kind == "image2video" and not (body.get("image") or body.get("image_tail")):
        return _answer(app, start_response, 400, 1201, "image is required")
    if str(body.get("duration") or "5") not in ("5", "10") or body.get("mode", "std") not in ("std", "pro"):
        return _answer(app, start_response, 400, 1201, "invalid duration or mode")
    behaviour = directive(body.get("prompt") or "")
    rec["directive"] = behaviour
    status = behaviour.get("status")
    if status and status != 200:
        return _answer(app, start_response, status, behaviour.get("kling_code", 5000),
                       behaviour.get("error_message") or "Server internal error")
    if behaviour.get("code"):
        return _answer(app, start_response, 200, behaviour["code"], behaviour.get("error_message") or "refused")
    task = tasks_wire.add(app, "kling:" + kind, dict(body), behaviour, "")
    tasks_wire.store(app).pop(task.id)
    task.id = str(int(rand_id(15), 16))  # Kling's ids are digits
    tasks_wire.store(app)[task.id] = task
    return _answer(app, start_response, 200, 0, "SUCCEED", {"task_id": task.id, "task_status": "submitted",
                                                            "created_at": int(task.created * 1000),
                                                            "updated_at": int(task.created * 1000)})


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    if path.startswith("/kling/_cdn/") and method == "GET":
        task = tasks_wire.store(app).get(path.rsplit("/", 1)[1].removesuffix(".mp4"))
        if task is None or task.state()[0] != "completed":
            return app._json(start_response, 404, b'{"error":"no such video"}')
        data = VIDEO + task.id.encode()
        start_response("200 OK", [("Content-Type", "video/mp4"), ("Content-Length", str(len(data)))])
        return [data]
    problem = check_token(environ)
    if problem is not None:
        rec["auth_problem"] = problem
        return _answer(app, start_response, 401, 1004 if "expired" in problem else 1000, problem)
    parts = path.strip("/").split("/")  # ["kling", "v1", "videos", kind, id?]
    if len(parts) < 4 or parts[1:3] != ["v1", "videos"] or parts[3] not in KINDS:
        return _answer(app, start_response, 404, 1202, f"Unknown path {path}")
    if len(parts) == 4 and method == "POST":
        return _submit(app, start_response, parts[3], body, rec)
    if len(parts) == 5 and method == "GET":
        task = tasks_wire.get(app, parts[4])
        if task is None or task.kind != "kling:" + parts[3]:
            return _answer(app, start_response, 404, 1203, "task not found")
        return _answer(app, start_response, 200, 0, "SUCCEED", task_data(app, task, environ))
    return _answer(app, start_response, 404, 1202, f"Unknown path {path}")

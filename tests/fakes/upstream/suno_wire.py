"""A suno-api style Suno upstream (what new-api's Suno channels call): POST
/suno/submit/{music|lyrics} -> {code: "success", data: "<task id>"}, POST
/suno/fetch {ids} and GET /suno/fetch/{id} -> the tasks, new-api's
SunoDataResponse; a music task makes two clips whose audio and image are at
the fake's own URLs (/suno/files/{task}/{n}.mp3|.jpg, served without a key).
A task's course is its prompt's directive (tasks_wire); `refuse` answers
the submit with code "fail" (HTTP 200), `status` with that HTTP error."""
from __future__ import annotations

import orjson

from . import tasks_wire
from .images_wire import directive

WORDS = {"queued": "QUEUED", "in_progress": "IN_PROGRESS", "completed": "SUCCESS", "failed": "FAILURE"}
AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00FAKEMP3"
IMAGE = b"\xff\xd8\xff\xe0FAKEJPEG"


def _answer(app, start_response, status: int, body: dict):
    return app._json(start_response, status, orjson.dumps(body))


def _clips(task, host: str):
    request = task.request
    if task.kind == "suno-lyrics":
        return {"id": task.id + "-lyrics", "status": "complete", "title": "Fake lyrics",
                "text": f"[Verse]\n{request.get('prompt')}"}
    return [{"id": f"{task.id}-{n}", "status": "complete", "title": request.get("title") or "Fake song",
             "model_name": request.get("mv"), "audio_url": f"http://{host}/suno/files/{task.id}/{n}.mp3",
             "image_url": f"http://{host}/suno/files/{task.id}/{n}.jpg", "video_url": "",
             "metadata": {"prompt": request.get("prompt"), "tags": request.get("tags"), "duration": 30 + n}}
            for n in range(2)]


def item(task, host: str) -> dict:
    state, progress = task.state()
    word = WORDS[state]
    if state == "queued" and task.elapsed < 0.05:
        word = "SUBMITTED"
    start = int(task.created) + (1 if state != "queued" else 0)
    return {"task_id": task.id, "action": "LYRICS" if task.kind == "suno-lyrics" else "MUSIC", "status": word,
            "fail_reason": (task.behaviour.get("error_message") or "The song could not be made.")
            if state == "failed" else "",
            "submit_time": int(task.created), "start_time": start if state != "queued" else 0,
            "finish_time": start if state in ("completed", "failed") else 0, "progress": f"{progress}%",
            "data": _clips(task, host) if state == "completed" else None}


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    parts = path.strip("/").split("/")  # ["suno", "submit"|"fetch"|"files", ...]
    host = environ.get("HTTP_HOST", "127.0.0.1")
    if len(parts) == 4 and parts[1] == "files" and method == "GET":
        task = tasks_wire.store(app).get(parts[2])
        if task is None or environ.get("HTTP_AUTHORIZATION"):  # the provider's URLs take no key
            return _answer(app, start_response, 404, {"code": "not_found", "message": "no such file"})
        data = (AUDIO if parts[3].endswith(".mp3") else IMAGE) + task.id.encode()
        ctype = "audio/mpeg" if parts[3].endswith(".mp3") else "image/jpeg"
        start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]
    denied = app._check_key(environ, start_response, "openai")
    if denied is not None:
        return denied
    if len(parts) == 3 and parts[1] == "submit" and method == "POST" and parts[2] in ("music", "lyrics"):
        if not isinstance(body, dict):
            return _answer(app, start_response, 400, {"code": "invalid_request", "message": "bad json"})
        behaviour = directive(body.get("prompt") or body.get("gpt_description_prompt") or "")
        rec["directive"] = behaviour
        status = behaviour.get("status")
        if status and status != 200:
            return _answer(app, start_response, status, {"code": "upstream_error",
                                                         "message": behaviour.get("error_message") or "refused"})
        if behaviour.get("refuse"):
            return _answer(app, start_response, 200, {"code": "fail", "message": "prompt rejected", "data": None})
        task = tasks_wire.add(app, "suno-" + parts[2], dict(body), behaviour, "suno_up_")
        return _answer(app, start_response, 200, {"code": "success", "message": "", "data": task.id})
    if parts[1:] == ["fetch"] and method == "POST":
        ids = body.get("ids") if isinstance(body, dict) else None
        found = [tasks_wire.get(app, task_id) for task_id in ids or () if isinstance(task_id, str)]
        return _answer(app, start_response, 200, {"code": "success", "message": "",
                                                  "data": [item(task, host) for task in found if task]})
    if len(parts) == 3 and parts[1] == "fetch" and method == "GET":
        task = tasks_wire.get(app, parts[2])
        if task is None:
            return _answer(app, start_response, 200, {"code": "task_not_exist", "message": "no task", "data": None})
        return _answer(app, start_response, 200, {"code": "success", "message": "", "data": item(task, host)})
    return _answer(app, start_response, 404, {"code": "not_found", "message": f"Unknown path {path}"})

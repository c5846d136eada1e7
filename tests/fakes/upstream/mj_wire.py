"""midjourney-proxy's API on the wire: POST /mj/submit/{imagine,action,
blend,describe,modal,change}, GET /mj/task/{id}/fetch, POST
/mj/task/list-by-condition, and GET /mj/image/{id} (the image, as the
provider's CDN would serve it). The key is `mj-api-secret`.

A task's course is set by the directive in its prompt (or, for the
submits without one, its `state`), as tasks_wire reads it; `code` makes
the submit answer that return code instead (21 exists, 22 in queue, 23
queue full, 24 banned prompt; 22 still makes the task)."""
from __future__ import annotations

import time

import orjson

from . import tasks_wire
from .images_wire import PNG, directive

STATUS = {"queued": "SUBMITTED", "in_progress": "IN_PROGRESS", "completed": "SUCCESS", "failed": "FAILURE"}
ACTIONS = {"imagine": "IMAGINE", "blend": "BLEND", "describe": "DESCRIBE", "modal": "MODAL"}
WORDS = {21: "Task already exists", 22: "In queue, there are 1 tasks ahead", 23: "Queue full, please try later",
         24: "Banned prompt words: forbidden"}


def _buttons(task) -> list:
    if task.kind not in ("IMAGINE", "VARIATION", "REROLL", "BLEND"):
        return []
    tag = task.id[-8:]
    return ([{"customId": f"MJ::JOB::upsample::{i}::{tag}", "emoji": "", "label": f"U{i}", "type": 2, "style": 2}
             for i in range(1, 5)]
            + [{"customId": f"MJ::JOB::variation::{i}::{tag}", "emoji": "", "label": f"V{i}", "type": 2, "style": 2}
               for i in range(1, 5)]
            + [{"customId": f"MJ::JOB::reroll::0::{tag}::SOLO", "emoji": "🔄", "label": "", "type": 2, "style": 2}])


def task_object(task, host: str) -> dict:
    state, progress = task.state()
    request = task.request
    done = state == "completed"
    started = int(task.created * 1000) + 50
    prompt = request.get("prompt") or ""
    return {
        "id": task.id, "action": task.kind, "customId": request.get("customId"), "botType": "MID_JOURNEY",
        "prompt": prompt, "promptEn": prompt, "description": f"/{task.kind.lower()} {prompt}".strip(),
        "state": request.get("state"), "submitTime": int(task.created * 1000),
        "startTime": started if state != "queued" else None,
        "finishTime": int(time.time() * 1000) if state in ("completed", "failed") else None,
        "imageUrl": f"http://{host}/mj/image/{task.id}" if done else None,
        "status": STATUS[state], "progress": f"{progress}%",
        "failReason": (task.behaviour.get("error_message") or "Banned prompt detected") if state == "failed" else "",
        "buttons": _buttons(task) if done else [],
        "properties": {"finalPrompt": prompt, "discordInstanceId": "1118138338562560102",
                       "discordChannelId": "1118138338562560103", "notifyHook": request.get("notifyHook")},
    }


def _words(prompt) -> str:
    return (prompt or "").split("[[fake", 1)[0].strip()


def _answer(app, start_response, code: int, description: str, result=None, properties=None):
    body = {"code": code, "description": description, "result": result,
            "properties": properties if properties is not None else {"discordInstanceId": "1118138338562560102"}}
    return app._json(start_response, 200, orjson.dumps(body))


def _submit(app, start_response, kind: str, body: dict, rec):
    if kind in ("imagine",) and not body.get("prompt"):
        return _answer(app, start_response, 4, "prompt cannot be empty")
    action = ACTIONS.get(kind)
    original = None
    if kind in ("action", "modal", "change"):
        original = tasks_wire.store(app).get(body.get("taskId"))
        if original is None:
            return _answer(app, start_response, 3, "Related task does not exist or has expired")
        if kind == "action":
            custom = body.get("customId") or ""
            action = "UPSCALE" if "upsample" in custom else "VARIATION" if "variation" in custom else "REROLL"
        elif kind == "change":
            action = body.get("action")
    behaviour = directive(f"{body.get('prompt') or ''} {body.get('state') or ''}")
    rec["directive"] = behaviour
    status = behaviour.get("status")
    if status and status != 200:
        return app._json(start_response, status, orjson.dumps({"error": behaviour.get("error_message") or "down"}))
    code = behaviour.get("code", 1)
    if code == 21:
        words = _words(body.get("prompt"))  # the same prompt, whatever its directive
        same = next((t for t in tasks_wire.store(app).values() if _words(t.request.get("prompt")) == words), None)
        return _answer(app, start_response, 21, WORDS[21], same.id if same else "9999999999999999")
    if code == 24:
        return _answer(app, start_response, 24, WORDS[24], None, {"promptEn": body.get("prompt"),
                                                                  "bannedWord": "forbidden"})
    if code not in (1, 22):
        return _answer(app, start_response, code, WORDS.get(code, "Submit failed"))
    request = dict(body)
    if original is not None:
        request.setdefault("prompt", original.request.get("prompt"))
    task = tasks_wire.FakeTask(action, request, behaviour, "")
    task.id = str(1700000000000000 + int(task.id[:12], 16) % 10**15)  # midjourney-proxy's ids are numbers
    tasks_wire.store(app)[task.id] = task
    return _answer(app, start_response, code, "Submit success" if code == 1 else WORDS[22], task.id)


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    need = app.config.get("require_key")
    if need and environ.get("HTTP_MJ_API_SECRET") != need:
        return app._json(start_response, 401, orjson.dumps({"error": "Invalid mj-api-secret"}))
    host = environ.get("HTTP_HOST") or "127.0.0.1"
    parts = path.strip("/").split("/")  # ["mj", "submit", kind] | ["mj", "task", id, "fetch"] | ...
    if len(parts) == 3 and parts[1] == "submit" and method == "POST":
        if not isinstance(body, dict):
            return _answer(app, start_response, 4, "request body must be JSON")
        return _submit(app, start_response, parts[2], body, rec)
    if parts[1:3] == ["task", "list-by-condition"] and method == "POST":
        ids = (body or {}).get("ids") or []
        found = [tasks_wire.get(app, i) for i in ids]
        return app._json(start_response, 200, orjson.dumps([task_object(t, host) for t in found if t is not None]))
    if len(parts) == 4 and parts[1] == "task" and parts[3] == "fetch" and method == "GET":
        task = tasks_wire.get(app, parts[2])
        if task is None:
            return app._json(start_response, 404, orjson.dumps({"error": f"task {parts[2]} not found"}))
        return app._json(start_response, 200, orjson.dumps(task_object(task, host)))
    if len(parts) == 3 and parts[1] == "image" and method == "GET":
        task = tasks_wire.store(app).get(parts[2])
        if task is None or task.state()[0] != "completed":
            return app._json(start_response, 404, orjson.dumps({"error": "no such image"}))
        data = PNG + task.id.encode()
        start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(data)))])
        return [data]
    return app._json(start_response, 404, orjson.dumps({"error": f"unknown path {path}"}))

"""DashScope's asynchronous text-to-image API (Qwen-Image, Wanx): POST
/api/v1/services/aigc/text2image/image-synthesis with `X-DashScope-Async:
enable` -> {output: {task_id, task_status: "PENDING"}, request_id}; GET
/api/v1/tasks/{id} -> the task (PENDING, RUNNING, SUCCEEDED with
results [{url}] and usage.image_count, FAILED with code and message;
UNKNOWN for an id it does not know). The images are at the fake's own URLs
(/dashscope/files/{task}/{n}.png, served without a key). A task's course
is its prompt's directive (tasks_wire); `made` is how many images it
makes (default: n)."""
from __future__ import annotations

import orjson

from . import tasks_wire
from .behaviour import rand_id
from .images_wire import directive

WORDS = {"queued": "PENDING", "in_progress": "RUNNING", "completed": "SUCCEEDED", "failed": "FAILED"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRFAKEPNG"


def _answer(app, start_response, status: int, body: dict):
    return app._json(start_response, status, orjson.dumps(body))


def _error(app, start_response, status: int, code: str, message: str):
    return _answer(app, start_response, status, {"code": code, "message": message, "request_id": rand_id(12)})


def task_body(task, host: str) -> dict:
    state, _progress = task.state()
    output = {"task_id": task.id, "task_status": WORDS[state], "submit_time": "2026-12-02 20:00:00.000"}
    body = {"request_id": rand_id(12), "output": output}
    if state == "completed":
        made = int(task.behaviour.get("made", task.request["n"]))
        output["results"] = [{"url": f"http://{host}/dashscope/files/{task.id}/{n}.png"} for n in range(made)]
        output["task_metrics"] = {"TOTAL": task.request["n"], "SUCCEEDED": made, "FAILED": task.request["n"] - made}
        body["usage"] = {"image_count": made}
    elif state == "failed":
        output.update(code="DataInspectionFailed",
                      message=task.behaviour.get("error_message") or "Output data may contain inappropriate content.")
    return body


def _submit(app, environ, start_response, body, rec):
    if environ.get("HTTP_X_DASHSCOPE_ASYNC") != "enable":
        return _error(app, start_response, 403, "AccessDenied", "current user api does not support synchronous calls")
    if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
        return _error(app, start_response, 400, "InvalidParameter", "input is required")
    prompt = body["input"].get("prompt")
    parameters = body.get("parameters") or {}
    size = parameters.get("size", "1024*1024")
    if not isinstance(prompt, str) or not prompt:
        return _error(app, start_response, 400, "InvalidParameter", "input.prompt is required")
    if not isinstance(size, str) or "*" not in size:
        return _error(app, start_response, 400, "InvalidParameter", f"size must be like 1024*1024, not {size!r}")
    behaviour = directive(prompt)
    rec["directive"] = behaviour
    status = behaviour.get("status")
    if status and status != 200:
        return _error(app, start_response, status, "InternalError", behaviour.get("error_message") or "refused")
    request = {"model": body.get("model"), "prompt": prompt, "size": size, "n": int(parameters.get("n", 1))}
    task = tasks_wire.add(app, "dashscope-image", request, behaviour, "ds-")
    return _answer(app, start_response, 200, {"output": {"task_id": task.id, "task_status": "PENDING"},
                                              "request_id": rand_id(12)})


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    host = environ.get("HTTP_HOST", "127.0.0.1")
    parts = path.strip("/").split("/")
    if parts[0] == "dashscope" and len(parts) == 4 and method == "GET":
        task = tasks_wire.store(app).get(parts[2])
        if task is None or environ.get("HTTP_AUTHORIZATION"):  # signed OSS URLs take no key
            return _error(app, start_response, 404, "NoSuchKey", "The specified key does not exist.")
        data = PNG + task.id.encode() + parts[3].encode()
        start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(data)))])
        return [data]
    denied = app._check_key(environ, start_response, "openai")
    if denied is not None:
        return denied
    if path == "/api/v1/services/aigc/text2image/image-synthesis" and method == "POST":
        return _submit(app, environ, start_response, body, rec)
    if len(parts) == 4 and parts[2] == "tasks" and method == "GET":
        task = tasks_wire.get(app, parts[3])
        if task is None:
            return _answer(app, start_response, 200, {"request_id": rand_id(12),
                                                      "output": {"task_id": parts[3], "task_status": "UNKNOWN"}})
        return _answer(app, start_response, 200, task_body(task, host))
    return _error(app, start_response, 404, "NotFound", f"Unknown path {path}")

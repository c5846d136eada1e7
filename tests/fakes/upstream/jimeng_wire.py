"""Jimeng (Volcengine's visual API) on the wire, under /jimeng (the
channel's base URL: <fake>/jimeng): POST
/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31 and
?Action=CVSync2AsyncGetResult, and the finished video at GET
/jimeng/_tos/{id}.mp4 (public, as Volcengine's signed TOS URLs are).

Every request must be signed with Volcengine's HMAC-SHA256 signature by
ACCESS_KEY/SECRET_KEY (checked here from the request as received: the
canonical request of method, path, sorted query, the signed headers and
the body's hash, the key derived through date/region/service/request).
A task's course is its prompt's directive (tasks_wire); `status` refuses
the submit with that HTTP status, `code` answers HTTP 200 with that code
(the task not taken)."""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, quote

import orjson

from . import tasks_wire
from .behaviour import rand_id
from .images_wire import directive

ACCESS_KEY = "AKLTjimeng0123456789"
SECRET_KEY = "jimeng-secret-ZYXWVUTSRQ"
KEY = f"{ACCESS_KEY}|{SECRET_KEY}"
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isomJIMENGVIDEO"
STATUS = {"queued": "in_queue", "in_progress": "generating", "completed": "done"}


def _answer(app, start_response, status: int, code: int, message: str, data=None):
    body = {"code": code, "status": code, "message": message, "request_id": rand_id(16), "data": data,
            "time_elapsed": "12ms"}
    return app._json(start_response, status, orjson.dumps(body))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def check_signature(environ, method: str, raw: bytes) -> str | None:
    """None if the request is signed by ACCESS_KEY/SECRET_KEY; else why not."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("HMAC-SHA256 "):
        return "MissingAuthenticationToken"
    fields = dict(part.strip().split("=", 1) for part in auth[len("HMAC-SHA256 "):].split(","))
    access, _, scope = fields.get("Credential", "").partition("/")
    if access != ACCESS_KEY:
        return "InvalidAccessKey"
    day, region, service, _request = (scope.split("/") + ["", "", "", ""])[:4]
    x_date = environ.get("HTTP_X_DATE", "")
    body_hash = hashlib.sha256(raw).hexdigest()
    if environ.get("HTTP_X_CONTENT_SHA256") != body_hash or not x_date.startswith(day):
        return "SignatureDoesNotMatch: body hash or date"
    headers = {"host": environ.get("HTTP_HOST", ""), "x-date": x_date, "x-content-sha256": body_hash,
               "content-type": environ.get("CONTENT_TYPE", "")}
    names = fields.get("SignedHeaders", "").split(";")
    if set(names) - set(headers) or "host" not in names or "x-date" not in names:
        return "SignatureDoesNotMatch: signed headers"
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                     for k, v in sorted(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)))
    canonical = "\n".join([method, environ.get("PATH_INFO") or "/", query,
                           "".join(f"{n}:{headers[n].strip()}\n" for n in names), ";".join(names), body_hash])
    to_sign = "\n".join(["HMAC-SHA256", x_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(SECRET_KEY.encode(), day), region), service), "request")
    if hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() != fields.get("Signature"):
        return "SignatureDoesNotMatch"
    if (region, service) != ("cn-north-1", "cv"):
        return "InvalidCredentialScope"
    return None


def _submit(app, start_response, body: dict, rec):
    if not isinstance(body.get("req_key"), str) or not body["req_key"]:
        return _answer(app, start_response, 400, 50400, "req_key is required")
    if body.get("frames", 121) not in (121, 241):
        return _answer(app, start_response, 400, 50400, "invalid frames")
    behaviour = directive(body.get("prompt") or "")
    rec["directive"] = behaviour
    status = behaviour.get("status")
    if status and status != 200:
        return _answer(app, start_response, status, 50500, behaviour.get("error_message") or "Internal Error")
    if behaviour.get("code"):
        return _answer(app, start_response, 200, behaviour["code"], behaviour.get("error_message") or "refused")
    task = tasks_wire.add(app, "jimeng", dict(body), behaviour, "")
    return _answer(app, start_response, 200, 10000, "Success", {"task_id": task.id})


def _result(app, start_response, body: dict, environ):
    task = tasks_wire.get(app, body.get("task_id") or "")
    if task is None or task.request.get("req_key") != body.get("req_key"):
        return _answer(app, start_response, 200, 10000, "Success", {"status": "not_found", "video_url": ""})
    status, _progress = task.state()
    if status == "failed":
        return _answer(app, start_response, 200, 50413,
                       task.behaviour.get("error_message") or "Post Text Risk Not Pass", None)
    url = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}/jimeng/_tos/{task.id}.mp4" if status == "completed" else ""
    return _answer(app, start_response, 200, 10000, "Success",
                   {"status": STATUS[status], "video_url": url, "resp_data": "", "binary_data_base64": []})


def handle(app, environ, start_response, method, path, body, raw, rec, ctx):
    if path.startswith("/jimeng/_tos/") and method == "GET":
        task = tasks_wire.store(app).get(path.rsplit("/", 1)[1].removesuffix(".mp4"))
        if task is None or task.state()[0] != "completed":
            return app._json(start_response, 404, b'{"error":"no such object"}')
        data = VIDEO + task.id.encode()
        start_response("200 OK", [("Content-Type", "video/mp4"), ("Content-Length", str(len(data)))])
        return [data]
    if path not in ("/jimeng", "/jimeng/") or method != "POST":
        return _answer(app, start_response, 404, 50404, f"Unknown path {method} {path}")
    problem = check_signature(environ, method, raw)
    if problem is not None:
        rec["auth_problem"] = problem
        return _answer(app, start_response, 401, 50401, problem)
    if not isinstance(body, dict):
        return _answer(app, start_response, 400, 50400, "invalid body")
    action = dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("Action")
    if action == "CVSync2AsyncSubmitTask":
        return _submit(app, start_response, body, rec)
    if action == "CVSync2AsyncGetResult":
        return _result(app, start_response, body, environ)
    return _answer(app, start_response, 400, 50400, f"unknown Action {action!r}")

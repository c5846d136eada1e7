"""The OpenAPI description of the Kling and Jimeng routes at the root
(/kling/v1/videos/..., /jimeng/), in the providers' own shapes: a submit
answers our task id at once, the task is polled, its video relayed by
Tollgate. Merged into the paths by blueprints.apidocs.spec."""
from __future__ import annotations

from blueprints.apidocs.spec import INT, NULL_STR, RATE_HEADERS, RETRY_AFTER, STR, json_content, obj, ref

TAGS = [
    {"name": "Kling", "description": "Kling's video API at the root (`/kling/v1/videos/...`), as new-api serves "
                                     "it: `Authorization: Bearer sk-...`. Errors: `{\"code\", \"message\", "
                                     "\"data\": null, \"error\"}` with Kling's codes (1000 key, 1101 credits, 1200 "
                                     "a bad request, 1203 not found, 1302 rate limit, 5000 a failure)."},
    {"name": "Jimeng", "description": "Jimeng (Volcengine's visual API, `CVSync2Async*` actions) at `/jimeng/`, "
                                      "as new-api serves it: `Authorization: Bearer sk-...`. Errors: `{\"code\", "
                                      "\"status\", \"message\", \"data\": null, \"error\"}`, `code` 50000 + the "
                                      "HTTP status."},
]
SECURITY = [{"bearer": []}]
TASK_ID_EXAMPLE = {"kling": "kling_0123456789abcdef01234567", "jimeng": "jimeng_0123456789abcdef01234567"}

KLING_ERRORS = {
    400: "Code 1200: a bad body (`invalid_request`, `prompt_required`; `duration` 5 or 10, `mode` std or pro).",
    401: "Code 1000: missing, malformed, unknown, disabled or expired key (`invalid_api_key`).",
    402: "Code 1101: the balance or the key's spend cap cannot cover the hold (`insufficient_credits`).",
    404: "Code 1203: an unknown task or another account's, an unfinished one's video, or a model no channel "
         "serves (`not_found`, `not_ready`, `model_not_available`).",
    413: "Code 1200: the body is over `MAX_REQUEST_BYTES` (`request_too_large`).",
    429: "Code 1302: a rate limit (`rate_limited`); `Retry-After` says when to retry.",
    502: "Code 5000: the provider failed, timed out or could not be reached (`provider_error`).",
    503: "Code 5001: no Kling channel serves the model (`provider_not_configured`).",
}
JIMENG_ERRORS = {status: text.split(": ", 1)[1].replace("Kling", "Jimeng")
                 for status, text in KLING_ERRORS.items()}
JIMENG_ERRORS[400] = "A bad body or `Action` (`invalid_request`, `model_required`, `prompt_required`; " \
                     "`frames` 121 or 241)."
JIMENG_ERRORS = {status: f"Code {50000 + status}: {text}" for status, text in JIMENG_ERRORS.items()}

KLING_VIDEO = obj({"id": STR, "url": {"type": "string", "description": "Tollgate's URL of the video (send the key)."},
                   "duration": {"type": "string", "description": "Seconds, as Kling reports them."}})
SCHEMAS = {
    "KlingError": obj({"code": INT, "message": STR, "request_id": NULL_STR, "data": {"type": "null"},
                       "error": STR}, ["code", "message"],
                      description="Kling's error shape; `error` is Tollgate's error code."),
    "KlingTask": obj({
        "code": {"type": "integer", "description": "0: taken. Another code (HTTP 200): Kling refused the "
                                                   "submit, answered as it came, nothing charged."},
        "message": STR, "request_id": NULL_STR,
        "data": {"type": ["object", "null"], "properties": {
            "task_id": {"type": "string", "description": "Our task id (`kling_...`), never the provider's."},
            "task_status": {"enum": ["submitted", "processing", "succeed", "failed"]},
            "task_status_msg": STR, "created_at": INT, "updated_at": INT,
            "task_result": obj({"videos": {"type": "array", "items": KLING_VIDEO}})}}},
        ["code"], description="Kling's task answer under our id; times in epoch milliseconds."),
    "JimengError": obj({"code": INT, "status": INT, "message": STR, "request_id": NULL_STR,
                        "data": {"type": "null"}, "error": STR}, ["code", "message"],
                       description="Volcengine's error shape; `error` is Tollgate's error code."),
    "JimengAnswer": obj({
        "code": {"type": "integer", "description": "10000: success. Another code: a failed task (its "
                                                   "provider's code, else 50500), or a submit the provider "
                                                   "refused (HTTP 200, as it came, nothing charged)."},
        "status": INT, "message": STR, "request_id": NULL_STR,
        "data": {"type": ["object", "null"], "properties": {
            "task_id": {"type": "string", "description": "Our task id (`jimeng_...`), never the provider's."},
            "status": {"enum": ["in_queue", "generating", "done", "failed"]},
            "video_url": {"type": ["string", "null"], "description": "Tollgate's URL of the video, once done."}}}},
        ["code"], description="Volcengine's answer under our id."),
}


def _errors(table: dict, schema: str, *statuses: int) -> dict:
    return {str(status): {"description": table[status], "content": json_content(ref(schema)),
                          **({"headers": RETRY_AFTER} if status == 429 else {})} for status in statuses}


def _task_id(family: str) -> dict:
    return {"name": "task_id", "in": "path", "required": True, "schema": STR, "description": "Our task id.",
            "example": TASK_ID_EXAMPLE[family]}


def _video(op_id: str, summary: str, family: str, errors: dict) -> dict:
    return {"get": {
        "operationId": op_id, "tags": [family.capitalize()], "summary": summary,
        "description": "The finished task's video, relayed from the provider as it arrives (its URL is never "
                       "shown). 404 until the task succeeds.",
        "security": SECURITY, "parameters": [_task_id(family)],
        "responses": {"200": {"description": "The video bytes, under the provider's content type.",
                              "content": {kind: {"schema": {"type": "string", "contentMediaType": kind}}
                                          for kind in ("video/mp4", "application/octet-stream")}},
                      **errors}}}


KLING_BODY = obj({
    "model_name": {"type": "string", "minLength": 1, "description": "The model; default `kling-v1`."},
    "prompt": STR, "negative_prompt": STR, "image": STR, "image_tail": STR,
    "mode": {"enum": ["std", "pro"], "description": "Default `std`; the price per second is the mode's."},
    "duration": {"enum": ["5", "10"], "description": "Seconds; default 5."},
    "aspect_ratio": {"enum": ["16:9", "9:16", "1:1"]}, "cfg_scale": {"type": "number"},
    "callback_url": {"type": "string", "description": "Ignored (never sent upstream): poll the task."},
})
KLING_EXAMPLES = {"text2video": {"model_name": "kling-v1", "prompt": "A lighthouse at dawn", "mode": "std",
                                 "duration": "5"},
                  "image2video": {"model_name": "kling-v1", "image": "https://example.com/first-frame.png",
                                  "prompt": "The waves roll in", "mode": "std", "duration": "5"}}
KLING_OPS = {"text2video": ("klingText2Video", "Kling text to video", "klingGetText2Video",
                            "Get a Kling text-to-video task", "klingText2VideoContent",
                            "Download a Kling text-to-video video"),
             "image2video": ("klingImage2Video", "Kling image to video", "klingGetImage2Video",
                             "Get a Kling image-to-video task", "klingImage2VideoContent",
                             "Download a Kling image-to-video video")}


def _kling_paths() -> dict:
    paths = {}
    for kind, (submit_id, submit, get_id, get, content_id, content) in KLING_OPS.items():
        base = f"/kling/v1/videos/{kind}"
        paths[base] = {"post": {
            "operationId": submit_id, "tags": ["Kling"], "summary": submit,
            "description": "A video task on a channel of kind `kling`, answered at once (poll "
                           f"`GET {base}/{{task_id}}`). Held: the request price plus `duration` × the model's "
                           "`video_prices` for `mode`; charged on the duration Kling reports (never more than "
                           "the hold), released when the task fails or passes `TASK_TIMEOUT_MINUTES`.",
            "security": SECURITY,
            "requestBody": {"required": True, "content": json_content(
                KLING_BODY if kind == "text2video" else {**KLING_BODY, "required": ["image"]},
                KLING_EXAMPLES[kind])},
            "responses": {"200": {"description": "Our task, submitted (or Kling's refusal, `code` not 0).",
                                  "headers": RATE_HEADERS, "content": json_content(ref("KlingTask"))},
                          **_errors(KLING_ERRORS, "KlingError", 400, 401, 402, 404, 413, 429, 502, 503)}}}
        paths[base + "/{task_id}"] = {"get": {
            "operationId": get_id, "tags": ["Kling"], "summary": get,
            "description": "The task as Tollgate last saw it; once `succeed`, `task_result.videos[0].url` is "
                           "Tollgate's.",
            "security": SECURITY, "parameters": [_task_id("kling")],
            "responses": {"200": {"description": "The task.", "content": json_content(ref("KlingTask"))},
                          **_errors(KLING_ERRORS, "KlingError", 401, 404, 429)}}}
        paths[base + "/{task_id}/content"] = _video(content_id, content, "kling",
                                                    _errors(KLING_ERRORS, "KlingError", 401, 404, 429, 502))
    return paths


JIMENG_BODY = obj({
    "req_key": {"type": "string", "minLength": 1, "description": "The model (submit), e.g. `jimeng_vgfm_t2v_l20`."},
    "prompt": STR, "frames": {"enum": [121, 241], "description": "121 (5 s, the default) or 241 (10 s)."},
    "seed": INT, "aspect_ratio": STR, "image_urls": {"type": "array", "items": STR},
    "binary_data_base64": {"type": "array", "items": STR},
    "task_id": {"type": "string", "description": "Our task id (CVSync2AsyncGetResult)."},
}, ["req_key"])


def _jimeng_paths() -> dict:
    return {
        "/jimeng/": {"post": {
            "operationId": "jimengAction", "tags": ["Jimeng"], "summary": "Jimeng video task",
            "description": "`Action=CVSync2AsyncSubmitTask`: a video task on a channel of kind `jimeng`, answered "
                           "with our `task_id` at once. Held: `frames`' seconds × the model's per-second "
                           "`video_prices` (`*`); charged that when the task is done (Jimeng reports no length), "
                           "released when it fails or passes `TASK_TIMEOUT_MINUTES`. "
                           "`Action=CVSync2AsyncGetResult` with `{req_key, task_id}`: the task, its `video_url` "
                           "Tollgate's once done.",
            "security": SECURITY,
            "parameters": [{"name": "Action", "in": "query", "required": True,
                            "schema": {"enum": ["CVSync2AsyncSubmitTask", "CVSync2AsyncGetResult"]},
                            "example": "CVSync2AsyncSubmitTask"},
                           {"name": "Version", "in": "query", "required": False,
                            "schema": {"const": "2022-08-31"}, "example": "2022-08-31"}],
            "requestBody": {"required": True, "content": json_content(
                JIMENG_BODY, {"req_key": "jimeng_vgfm_t2v_l20", "prompt": "A lighthouse at dawn", "frames": 121})},
            "responses": {"200": {"description": "The submit's task id, or the task.", "headers": RATE_HEADERS,
                                  "content": json_content(ref("JimengAnswer"))},
                          **_errors(JIMENG_ERRORS, "JimengError", 400, 401, 402, 404, 413, 429, 502, 503)}}},
        "/jimeng/content/{task_id}": _video("jimengContent", "Download a Jimeng video", "jimeng",
                                            _errors(JIMENG_ERRORS, "JimengError", 401, 404, 429, 502)),
    }


def task_paths() -> dict:
    return {**_kling_paths(), **_jimeng_paths()}

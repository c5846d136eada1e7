"""The OpenAPI description of the Midjourney routes at the root (/mj/...),
as midjourney-proxy's clients call them: six submits answering a return
code and our task id, the task's fetch and list, and its image. Merged
into the paths by blueprints.apidocs.spec."""
from __future__ import annotations

from blueprints.apidocs.spec import INT, NULL_INT, NULL_STR, RATE_HEADERS, RETRY_AFTER, STR, json_content, obj, ref

TAG = {"name": "Midjourney", "description": "midjourney-proxy's API at the root (`/mj/...`), as new-api serves "
                                          "it: keys as `Authorization: Bearer` or `mj-api-secret`. Errors: "
                                          "`{\"code\", \"description\", \"result\": null, \"properties\"}`."}
SECURITY_SCHEME = {"type": "apiKey", "in": "header", "name": "mj-api-secret",
                   "description": "`mj-api-secret: sk-...` (midjourney-proxy clients); Midjourney routes only."}
MJ_SECURITY = [{"bearer": []}, {"mjApiSecret": []}]
TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}
IMAGE = {"type": "string", "minLength": 1, "description": "A data URL: `data:image/png;base64,...`."}
TASK_ID = {"type": "string", "minLength": 1, "description": "Our id of one of your earlier tasks (`mj_...`)."}
COMMON = {"state": {"type": "string", "description": "Yours: echoed in the task."},
          "notifyHook": {"type": "string", "description": "Ignored (never sent upstream): poll the task."},
          "botType": {"enum": ["MID_JOURNEY", "NIJI_JOURNEY"]}}

MJ_ERRORS = {
    400: "Code 4: a bad body (`invalid_request`, `prompt_required`), an unknown button.",
    401: "Code 4: missing, malformed, unknown, disabled or expired key (`invalid_api_key`).",
    402: "Code 4: the balance or the key's spend cap cannot cover the action's price (`insufficient_credits`).",
    404: "Code 3: an unknown task, another account's, or an action no model is priced for "
         "(`not_found`, `model_not_available`).",
    413: "Code 4: the body is over `MAX_REQUEST_BYTES` (`request_too_large`).",
    429: "Code 4: a rate limit (`rate_limited`); `Retry-After` says when to retry.",
    502: "Code 9: the provider failed, timed out or could not be reached (`provider_error`).",
    503: "Code 9: no Midjourney channel serves the action (`provider_not_configured`).",
}

SCHEMAS = {
    "MjError": obj({"code": INT, "description": STR, "result": {"type": "null"},
                    "properties": obj({"error": STR}, ["error"])}, ["code", "description", "result"],
                   description="midjourney-proxy's shape: `code` 3 not found, 4 a bad request, 9 a failure; "
                               "`properties.error` is Tollgate's error code."),
    "MjSubmitAnswer": obj({
        "code": {"type": "integer", "description": "1 submitted, 22 in queue (both accepted and charged when "
                                                   "done); 21 exists, 23 queue full, 24 banned prompt, others: "
                                                   "refused, nothing charged."},
        "description": STR,
        "result": {"type": ["string", "null"], "description": "Our task id (never the provider's)."},
        "properties": {"type": "object"}}, ["code", "description", "result"]),
    "MjTask": obj({
        "id": STR, "action": NULL_STR, "prompt": NULL_STR, "promptEn": NULL_STR, "description": NULL_STR,
        "state": NULL_STR, "submitTime": NULL_INT, "startTime": NULL_INT, "finishTime": NULL_INT,
        "imageUrl": {"type": ["string", "null"], "description": "Tollgate's `/mj/image/{id}`, once done."},
        "status": {"enum": ["NOT_START", "SUBMITTED", "IN_PROGRESS", "FAILURE", "SUCCESS"]},
        "progress": {"type": "string", "pattern": r"^\d{1,3}%$"}, "failReason": NULL_STR,
        "buttons": {"type": "array", "items": obj({"customId": STR, "label": STR, "emoji": STR})},
        "properties": {"type": "object"}}, ["id", "status", "progress"],
        description="midjourney-proxy's task object under our id; times in epoch milliseconds."),
}

SUBMITS = {
    "imagine": ("mjImagine", "Midjourney imagine", "A picture from a prompt (`mj_imagine`).",
                obj({"prompt": TEXT, "base64Array": {"type": "array", "items": IMAGE}, **COMMON}, ["prompt"]),
                {"prompt": "a lighthouse at dawn --ar 16:9"}),
    "action": ("mjAction", "Midjourney button action", "A button of an earlier task (`customId` from its `buttons`): "
                                             "upscale, variation, reroll, zoom, pan... priced by the action "
                                             "(`mj_upscale`, `mj_variation`, ...).",
               obj({"taskId": TASK_ID, "customId": TEXT, "chooseSameChannel": {"type": "boolean"}, **COMMON},
                   ["taskId", "customId"]),
               {"taskId": "mj_0123456789abcdef01234567", "customId": "MJ::JOB::upsample::1::d5a6c8f4"}),
    "blend": ("mjBlend", "Midjourney blend", "Two to five images blended (`mj_blend`).",
              obj({"base64Array": {"type": "array", "items": IMAGE, "minItems": 2, "maxItems": 5},
                   "dimensions": {"enum": ["PORTRAIT", "SQUARE", "LANDSCAPE"]}, **COMMON}, ["base64Array"]),
              {"base64Array": ["data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="]}),
    "describe": ("mjDescribe", "Midjourney describe", "Prompts for an image (`mj_describe`).",
                 obj({"base64": IMAGE, **COMMON}, ["base64"]), {"base64": "data:image/png;base64,iVBORw0KGgo="}),
    "modal": ("mjModal", "Midjourney modal", "The prompt (and mask) a button's window asks for (`mj_modal`).",
              obj({"taskId": TASK_ID, "prompt": STR, "maskBase64": STR, **COMMON}, ["taskId"]),
              {"taskId": "mj_0123456789abcdef01234567", "prompt": "a red door"}),
    "change": ("mjChange", "Midjourney change", "Upscale, vary or reroll an earlier task by index "
                                                 "(`mj_upscale`, `mj_variation`, `mj_reroll`).",
               obj({"taskId": TASK_ID, "action": {"enum": ["UPSCALE", "VARIATION", "REROLL"]},
                    "index": {"type": "integer", "minimum": 1, "maximum": 4}, **COMMON}, ["taskId", "action"]),
               {"taskId": "mj_0123456789abcdef01234567", "action": "UPSCALE", "index": 1}),
}


def mj_errors(*statuses: int) -> dict:
    return {str(status): {"description": MJ_ERRORS[status], "content": json_content(ref("MjError")),
                          **({"headers": RETRY_AFTER} if status == 429 else {})} for status in statuses}


def _task_id(description: str) -> dict:
    return {"name": "task_id", "in": "path", "required": True, "schema": STR, "description": description,
            "example": "mj_0123456789abcdef01234567"}


def mj_paths() -> dict:
    paths = {}
    for kind, (op_id, summary, description, schema, example) in SUBMITS.items():
        paths[f"/mj/submit/{kind}"] = {"post": {
            "operationId": op_id, "tags": ["Midjourney"], "summary": summary,
            "description": description + " The answer comes at once; poll `/mj/task/{id}/fetch`. The hold is the "
                                         "action's price, charged when the task succeeds, released if it fails "
                                         "or times out.",
            "security": MJ_SECURITY,
            "requestBody": {"required": True, "content": json_content(schema, example)},
            "responses": {"200": {"description": "The provider's return code; `result` our task id.",
                                  "headers": RATE_HEADERS, "content": json_content(ref("MjSubmitAnswer"))},
                          **mj_errors(400, 401, 402, 404, 413, 429, 502, 503)}}}
    paths["/mj/task/{task_id}/fetch"] = {"get": {
        "operationId": "mjFetchTask", "tags": ["Midjourney"], "summary": "Get a Midjourney task",
        "description": "The task as Tollgate last saw it (the poller follows the provider).",
        "security": MJ_SECURITY, "parameters": [_task_id("Our task id.")],
        "responses": {"200": {"description": "The task.", "content": json_content(ref("MjTask"))},
                      **mj_errors(401, 404, 429)}}}
    paths["/mj/task/list-by-condition"] = {"post": {
        "operationId": "mjListTasks", "tags": ["Midjourney"], "summary": "List Midjourney tasks",
        "description": "Your tasks among `ids` (at most 100), in their order; unknown ids are left out.",
        "security": MJ_SECURITY,
        "requestBody": {"required": True, "content": json_content(
            obj({"ids": {"type": "array", "items": STR, "maxItems": 100}}, ["ids"]),
            {"ids": ["mj_0123456789abcdef01234567"]})},
        "responses": {"200": {"description": "The tasks.", "content": json_content(
            {"type": "array", "items": ref("MjTask")})}, **mj_errors(400, 401, 413, 429)}}}
    paths["/mj/image/{task_id}"] = {"get": {
        "operationId": "mjTaskImage", "tags": ["Midjourney"], "summary": "Get a Midjourney image",
        "description": "The finished task's image, relayed from the provider as it arrives (its URL is never "
                       "shown). 404 until the task succeeds.",
        "security": MJ_SECURITY, "parameters": [_task_id("Our task id.")],
        "responses": {"200": {"description": "The image bytes, under the provider's content type.",
                              "content": {kind: {"schema": {"type": "string", "contentMediaType": kind}}
                                          for kind in ("image/png", "image/jpeg", "image/webp",
                                                       "application/octet-stream")}},
                      **mj_errors(401, 404, 429, 502)}}}
    return paths

"""The OpenAPI description of the task routes added with image tasks and
Suno: GET /v1/images/tasks/{task_id} (and its images), merged into the /v1
paths, and new-api's Suno routes at the root (/suno/...). Merged by
blueprints.apidocs.spec."""
from __future__ import annotations

from blueprints.apidocs.spec import INT, RATE_HEADERS, STR, json_content, obj, openai_errors, ref

IMAGE_TASK = obj({
    "created": INT,
    "data": {"type": "array", "items": obj({"url": STR}, ["url"]),
             "description": "Empty until the task succeeded; then one Tollgate URL per image."},
    "task_id": STR, "provider_task_id": {"type": "string", "description": "The provider's id of the task."},
    "status": {"enum": ["pending", "running", "succeeded", "failed"]}, "model": STR,
    "error": obj({"code": STR, "message": STR}, ["code", "message"]),
}, ["created", "data", "task_id", "provider_task_id", "status", "model"], extra=False,
    description="An image task (a model with the `async` capability).")

SUNO_CLIP = obj({"id": STR, "audio_url": STR, "image_url": STR, "image_large_url": STR, "video_url": STR,
                 "title": STR, "text": STR, "status": STR},
                description="A clip (or the lyrics) as the upstream made it; its URLs are Tollgate's.")
SUNO_TASK = obj({
    "task_id": STR, "action": {"enum": ["MUSIC", "LYRICS"]},
    "status": {"enum": ["NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "FAILURE", "SUCCESS"]},
    "fail_reason": STR, "submit_time": INT, "start_time": INT, "finish_time": INT,
    "progress": {"type": "string", "pattern": "^[0-9]{1,3}%$"},
    "data": {"type": "array", "items": SUNO_CLIP},
}, ["task_id", "action", "status", "fail_reason", "submit_time", "start_time", "finish_time", "progress", "data"],
    extra=False)
SUNO_ERROR = obj({"code": {"type": "string", "minLength": 1}, "message": STR, "data": {"type": "null"}},
                 ["code", "message", "data"], extra=False, description="new-api's task error.")
SUNO_SUBMIT = obj({
    "prompt": STR, "gpt_description_prompt": STR, "mv": STR, "title": STR, "tags": STR,
    "make_instrumental": {"type": "boolean"}, "continue_clip_id": STR, "continue_at": {"type": "number"},
    "task_id": {"type": "string", "description": "With `continue_clip_id`: the Tollgate id of the clip's task."},
}, description="new-api's SunoSubmitReq. Lyrics need `prompt`.")
SUNO_ERRORS = {400: "Bad fields or action (`invalid_action`, `prompt_empty`, `invalid_request`), or the upstream "
                    "refused the submit (its `code`); never charged.",
               401: "Missing or invalid key (`invalid_api_key`).",
               402: "Not enough credits for the task's price (`insufficient_credits`).",
               404: "No such task of this account, or the model is not available (`not_found`, "
                    "`model_not_available`).",
               429: "Rate limited (`rate_limited`).",
               502: "The upstream failed (`provider_error`).",
               503: "No channel serves the model (`provider_not_configured`)."}
SECURITY = [{"bearer": []}]


def _suno_errors(*statuses: int) -> dict:
    return {str(s): {"description": SUNO_ERRORS[s], "content": json_content(SUNO_ERROR)} for s in statuses}


def _success(data_schema: dict, description: str, example=None) -> dict:
    schema = obj({"code": {"const": "success"}, "message": STR, "data": data_schema}, ["code", "message", "data"],
                 extra=False)
    return {"description": description, "headers": RATE_HEADERS, "content": json_content(schema, example)}


def _id(name: str, example: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": STR, "example": example}


def image_task_paths() -> dict:
    task_id = _id("task_id", "imgtask_0123456789abcdef01234567")
    n = {"name": "n", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}, "example": 0}
    return {
        "/images/tasks/{task_id}": {"get": {
            "operationId": "getImageTask", "tags": ["OpenAI"], "summary": "Get an image task",
            "description": "An image task of this key's account (a model with the `async` capability answers "
                           "`POST /images/generations` with one): `pending`, `running`, `succeeded` (then "
                           "`data` has the images' Tollgate URLs) or `failed`.",
            "security": [{"bearer": []}, {"apiKey": []}], "parameters": [task_id],
            "responses": {"200": {"description": "The task.", "headers": RATE_HEADERS,
                                  "content": json_content(ref("ImageTask"))},
                          **openai_errors(401, 404, 429)}}},
        "/images/tasks/{task_id}/{n}": {"get": {
            "operationId": "getImageTaskContent", "tags": ["OpenAI"], "summary": "Get an image of a task",
            "description": "Image `n` (from 0) of a succeeded task, relayed from the provider.",
            "security": [{"bearer": []}, {"apiKey": []}], "parameters": [task_id, n],
            "responses": {"200": {"description": "The image's bytes.",
                                  "content": {"image/png": {"schema": {"type": "string", "format": "binary"}},
                                              "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                                              "image/webp": {"schema": {"type": "string", "format": "binary"}}}},
                          **openai_errors(401, 404, 429, 502)}}},
    }


def suno_paths() -> dict:
    task_id = _id("task_id", "suno_0123456789abcdef01234567")
    return {
        "/suno/submit/{action}": {"post": {
            "operationId": "submitSunoTask", "tags": ["Suno"], "summary": "Submit a Suno task",
            "description": "Music or lyrics, as new-api serves them. Billed the request price of `suno_music` "
                           "or `suno_lyrics`: held now, charged when the task succeeds, released when it fails "
                           "or times out. `data` is the task's id.",
            "security": SECURITY,
            "parameters": [{"name": "action", "in": "path", "required": True, "schema": {"enum": ["music", "lyrics"]},
                            "example": "music"}],
            "requestBody": {"required": True, "content": json_content(SUNO_SUBMIT, {
                "prompt": "[Verse]\nRain on the harbour", "tags": "folk", "mv": "chirp-v3-5"})},
            "responses": {"200": _success(STR, "The task was submitted."),
                          **_suno_errors(400, 401, 402, 404, 429, 502, 503)}}},
        "/suno/fetch/{task_id}": {"get": {
            "operationId": "fetchSunoTask", "tags": ["Suno"], "summary": "Fetch a Suno task",
            "description": "A task of this key's account; its clips' URLs are Tollgate's.",
            "security": SECURITY, "parameters": [task_id],
            "responses": {"200": _success(SUNO_TASK, "The task."), **_suno_errors(401, 404, 429)}}},
        "/suno/fetch": {"post": {
            "operationId": "fetchSunoTasks", "tags": ["Suno"], "summary": "Fetch Suno tasks",
            "description": "This account's tasks among `ids` (up to 100), in their order; others are left out.",
            "security": SECURITY,
            "requestBody": {"required": True, "content": json_content(
                obj({"ids": {"type": "array", "items": STR, "maxItems": 100}, "action": STR}, ["ids"]),
                {"ids": ["suno_0123456789abcdef01234567"]})},
            "responses": {"200": _success({"type": "array", "items": SUNO_TASK}, "The tasks found."),
                          **_suno_errors(400, 401, 429)}}},
        "/suno/clips/{task_id}/{n}/{kind}": {"get": {
            "operationId": "getSunoClip", "tags": ["Suno"], "summary": "Get a Suno clip's audio, image or video",
            "description": "Relayed from the provider, for a succeeded task of this key's account.",
            "security": SECURITY,
            "parameters": [task_id, {"name": "n", "in": "path", "required": True,
                                     "schema": {"type": "integer", "minimum": 0}, "example": 0},
                           {"name": "kind", "in": "path", "required": True,
                            "schema": {"enum": ["audio", "image", "image_large", "video"]}, "example": "audio"}],
            "responses": {"200": {"description": "The bytes, in the provider's content type.",
                                  "content": {"audio/mpeg": {"schema": {"type": "string", "format": "binary"}},
                                              "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                                              "video/mp4": {"schema": {"type": "string", "format": "binary"}}}},
                          **_suno_errors(401, 404, 429, 502)}}},
    }


TAG = {"name": "Suno", "description": "Suno as new-api serves it, at the site's root: answers and errors are "
                                      "`{\"code\", \"message\", \"data\"}`."}
SCHEMAS = {"ImageTask": IMAGE_TASK}

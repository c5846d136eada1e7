"""The Jimeng door, as Volcengine's visual API (and new-api's /jimeng route)
serves it: POST /jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31
with {req_key, prompt, ...}, passed through to channels speaking `jimeng`.
The client's `req_key` is the model (renamed to the channel's upstream
name). Clients present the key as `Authorization: Bearer sk-...`; errors
are Volcengine's shape (a `code` other than 10000, and `message`).

Billing: per second of video, the model's `video_prices` ("*") or its
per-second price, times the seconds of the `frames` asked for (121 frames:
5 s, the default; 241 frames: 10 s). Jimeng does not report a finished
video's length: a task that succeeds is charged its hold."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer
from services.relay.errors import RelayError, invalid_request

DIALECT = "jimeng"
VERSION = "2022-08-31"
SUBMIT, RESULT = "CVSync2AsyncSubmitTask", "CVSync2AsyncGetResult"
ACTIONS = (SUBMIT, RESULT)
SUBMIT_PATH = f"/?Action={SUBMIT}&Version={VERSION}"
RESULT_PATH = f"/?Action={RESULT}&Version={VERSION}"
FRAMES = {121: 5, 241: 10}       # 24 frames a second, plus one
DEFAULT_FRAMES = 121
OK = 10000


def seconds_of(frames) -> int:
    if frames is None:
        return FRAMES[DEFAULT_FRAMES]
    if not isinstance(frames, int) or isinstance(frames, bool) or frames not in FRAMES:
        raise invalid_request("'frames' must be 121 (5 s) or 241 (10 s).")
    return FRAMES[frames]


def parse(body, headers=None) -> Ask:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("req_key")
    if not isinstance(model, str) or not model.strip():
        raise RelayError(400, "model_required", "The 'req_key' field must name the model.")
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise invalid_request("'prompt' must be a string.")
    images = [body.get(name) for name in ("image_urls", "binary_data_base64")]
    if any(value is not None and not (isinstance(value, list) and all(isinstance(i, str) for i in value))
           for value in images):
        raise invalid_request("'image_urls' and 'binary_data_base64' must be lists of strings.")
    if not (prompt or "").strip() and not any(images):
        raise RelayError(400, "prompt_required", "The 'prompt' field must be a non-empty string.")
    check_forbidden(body)
    seconds = seconds_of(body.get("frames"))
    usage = Usage(video_seconds=seconds)
    fields = {k: v for k, v in body.items() if k != "model"}  # Volcengine's body names none
    return Ask(model_id=model, stream=False, prompt_bound=0, prompt_estimate=0, output_tokens=None, choices=1,
               body=fields, message_count=1, bound=usage, measure=usage, path=SUBMIT_PATH)


def passthrough(ask: Ask, target, limit_changed: bool) -> Upstream:
    return Upstream({**ask.body, "req_key": target.upstream_model}, DIALECT, path=ask.path)


def code_of(status: int) -> int:
    """Volcengine-style codes for our errors: 50000 + the HTTP status
    (50429 and 50500 are Volcengine's own for those)."""
    return 50000 + status


def error_body(error: RelayError) -> dict:
    code = code_of(error.status)
    return {"code": code, "status": code, "message": error.message, "request_id": None, "data": None,
            "error": error.code}


DOOR = Door(name="jimeng", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=MediaWriter,
            answer=media_answer, error_body=error_body, key_headers=("authorization",))

"""The Kling door, as Kling's API (and new-api's /kling/v1 routes) serve it:
POST /kling/v1/videos/text2video and /kling/v1/videos/image2video, passed
through to channels speaking `kling`. Clients present the key as
`Authorization: Bearer sk-...`; errors are Kling's shape (code, message).

Billing: per second of video, the model's `video_prices` keyed by Kling's
`mode` ("std", "pro"; "*" for any), times the `duration` asked for (5 or 10,
default 5) as the hold; the task settles on the duration Kling reports for
the finished video, never above the hold."""
from __future__ import annotations

from services.billing.pricing import Price, Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer
from services.relay.errors import RelayError, invalid_request

DIALECT = "kling"
KINDS = ("text2video", "image2video")
DEFAULT_MODEL = "kling-v1"      # Kling's own default when `model_name` is omitted
MODES = ("std", "pro")
DURATIONS = (5, 10)
# Never sent upstream: Kling would call the client's hook with its own ids,
# and an external id is the upstream account's namespace, shared by every
# client of the channel. Tollgate's clients poll Tollgate.
DROPPED = ("callback_url", "external_task_id", "model")
# Kling's error codes for ours (its documented ones where they exist).
CODES = {400: 1200, 401: 1000, 402: 1101, 403: 1103, 404: 1203, 413: 1200, 429: 1302, 503: 5001}


class KlingRequest(dict):
    """A submit's fields, with its kind (text2video or image2video)."""

    def __init__(self, fields: dict, kind: str):
        super().__init__(fields)
        self.kind = kind
        name = fields.get("model_name", fields.get("model")) or DEFAULT_MODEL
        if isinstance(name, str):
            self["model"] = name  # where the request log reads a refused request's model


def model_of(body: dict) -> str:
    model = body.get("model_name", body.get("model"))
    if model is None or model == "":
        return DEFAULT_MODEL
    if not isinstance(model, str):
        raise invalid_request("'model_name' must be a string.")
    return model


def duration_of(value) -> int:
    """Kling takes `duration` as a string ("5"); numbers are accepted too."""
    if value is None or value == "":
        return DURATIONS[0]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or value not in DURATIONS:
        raise invalid_request("'duration' must be \"5\" or \"10\".")
    return value


def mode_of(value) -> str:
    if value is None or value == "":
        return MODES[0]
    if value not in MODES:
        raise invalid_request("'mode' must be \"std\" or \"pro\".")
    return value


def parse(body, headers=None) -> Ask:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    kind = body.kind if isinstance(body, KlingRequest) else KINDS[0]
    model = model_of(body)
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise invalid_request("'prompt' must be a string.")
    if kind == "text2video" and (not isinstance(prompt, str) or not prompt.strip()):
        raise RelayError(400, "prompt_required", "The 'prompt' field must be a non-empty string.")
    if kind == "image2video":
        images = [body.get(name) for name in ("image", "image_tail")]
        if any(image is not None and not isinstance(image, str) for image in images) or not any(images):
            raise invalid_request("'image' (a URL or Base64) is required for image2video.")
    check_forbidden(body)
    seconds, mode = duration_of(body.get("duration")), mode_of(body.get("mode"))
    usage = Usage(video_seconds=seconds, video_size=mode)
    fields = {k: v for k, v in body.items() if k not in DROPPED}
    fields.update(model_name=model, mode=mode, duration=str(seconds))
    return Ask(model_id=model, stream=False, prompt_bound=0, prompt_estimate=0, output_tokens=None, choices=1,
               body=fields, message_count=1, bound=usage, measure=usage, path=f"/v1/videos/{kind}")


def passthrough(ask: Ask, target, limit_changed: bool) -> Upstream:
    # `model` too, as new-api sends it: relays that read only `model` (and the task's record) see it.
    model = target.upstream_model
    return Upstream({**ask.body, "model_name": model, "model": model}, DIALECT, path=ask.path)


def dearest(price: Price, seconds: int, mode: str) -> int:
    """The hold of `seconds` of video in `mode` (for docs and tests)."""
    return seconds * price.dearest_video(mode) + price.request


def error_body(error: RelayError) -> dict:
    code = CODES.get(error.status, 5000 if error.status >= 500 else 1200)
    return {"code": code, "message": error.message, "request_id": None, "data": None,
            "error": error.code}


DOOR = Door(name="kling", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=MediaWriter,
            answer=media_answer, error_body=error_body, key_headers=("authorization",))

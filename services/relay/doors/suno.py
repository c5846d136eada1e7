"""The Suno door, as new-api serves it: POST /suno/submit/{music|lyrics}
with new-api's SunoSubmitReq fields, passed through to channels speaking
`suno` (a suno-api style upstream). The answer is a task
(services.tasks.families.suno); answers and errors are new-api's
`{code, message, data}`.

Billing: per task, the request price of the model new-api names for the
action (`suno_music`, `suno_lyrics`): held at submit, charged when the task
succeeds, released when it fails or never finishes."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer
from services.relay.errors import RelayError, invalid_request

DIALECT = "suno"
ACTIONS = {"music": "MUSIC", "lyrics": "LYRICS"}
DEFAULT_MV = "chirp-v3-0"  # new-api's default when a music submit names none
TEXT_FIELDS = ("gpt_description_prompt", "prompt", "mv", "title", "tags", "task_id", "continue_clip_id")


class SunoRequest(dict):
    """A submit's fields and its action; `channel_id` pins a continuation
    to the channel that made the clip it continues."""

    def __init__(self, fields: dict, action: str, channel_id: int | None = None):
        super().__init__(fields)
        self.action = action
        self.channel_id = channel_id


def model_for(action: str) -> str:
    return f"suno_{action}"


def action_of(value) -> str:
    action = str(value or "").lower()
    if action not in ACTIONS:
        raise RelayError(400, "invalid_action", f"The action must be one of {', '.join(ACTIONS)}.")
    return action


def parse(body, headers=None) -> Ask:
    if not isinstance(body, SunoRequest):
        raise invalid_request("The request body must be a JSON object.")
    action = action_of(body.action)
    check_forbidden(body)
    fields = {}
    for name in TEXT_FIELDS:
        if body.get(name) is not None:
            if not isinstance(body[name], str):
                raise invalid_request(f"'{name}' must be a string.")
            fields[name] = body[name]
    if body.get("continue_at") is not None:
        if not isinstance(body["continue_at"], (int, float)) or isinstance(body["continue_at"], bool):
            raise invalid_request("'continue_at' must be a number of seconds.")
        fields["continue_at"] = body["continue_at"]
    if not isinstance(body.get("make_instrumental", False), bool):
        raise invalid_request("'make_instrumental' must be true or false.")
    fields["make_instrumental"] = bool(body.get("make_instrumental", False))
    if action == "lyrics" and not (fields.get("prompt") or "").strip():
        raise RelayError(400, "prompt_empty", "A lyrics submit needs a 'prompt'.")
    if action == "music":
        fields.setdefault("mv", DEFAULT_MV)
    flat = Usage()  # the request price only
    return Ask(model_id=model_for(action), stream=False, prompt_bound=0, prompt_estimate=0, output_tokens=None,
               choices=1, body=fields, message_count=1, bound=flat, measure=flat,
               path=f"/suno/submit/{action}", channel_id=body.channel_id)


def passthrough(ask: Ask, target, limit_changed: bool) -> Upstream:
    """The fields as new-api sends them: Suno's requests name no model."""
    return Upstream(dict(ask.body), DIALECT, path=ask.path)


def error_body(error: RelayError) -> dict:
    return {"code": error.code, "message": error.message, "data": None}


def success(data) -> dict:
    return {"code": "success", "message": "", "data": data}


DOOR = Door(name="suno", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=MediaWriter,
            answer=media_answer, error_body=error_body, key_headers=("authorization",))

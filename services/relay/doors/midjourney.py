"""The Midjourney door, as midjourney-proxy (novicezk) and new-api serve it:
POST /mj/submit/{imagine,action,blend,describe,modal,change}, passed
through to channels speaking `midjourney`. Clients present the key as
`Authorization: Bearer sk-...` or in `mj-api-secret`.

Billing, as new-api prices it: one registry model per action (mj_imagine,
mj_upscale, mj_variation, ...), each task charged that model's request
price. The door picks the model from the action (the client names none);
an action's is read from its button's customId as new-api reads it."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.doors.base import Door
from services.relay.doors.media import MediaWriter, answer as media_answer
from services.relay.errors import RelayError, invalid_request

DIALECT = "midjourney"
KINDS = ("imagine", "action", "blend", "describe", "modal", "change")
# The billed model of each action (new-api's names).
MODELS = {
    "IMAGINE": "mj_imagine", "UPSCALE": "mj_upscale", "VARIATION": "mj_variation", "REROLL": "mj_reroll",
    "DESCRIBE": "mj_describe", "BLEND": "mj_blend", "MODAL": "mj_modal", "ZOOM": "mj_zoom",
    "CUSTOM_ZOOM": "mj_custom_zoom", "PAN": "mj_pan", "INPAINT": "mj_inpaint",
    "HIGH_VARIATION": "mj_high_variation", "LOW_VARIATION": "mj_low_variation",
}
CHANGE_ACTIONS = ("UPSCALE", "VARIATION", "REROLL")
DIMENSIONS = ("PORTRAIT", "SQUARE", "LANDSCAPE")
BLEND_MOST = 5
# Fields never sent upstream: the provider would call the client's hook
# with its own ids; Tollgate's clients poll Tollgate.
DROPPED = ("notifyHook",)


class MjRequest(dict):
    """A submit's fields as the upstream gets them (a follow-up's `taskId`
    already the provider's), with its kind, action and pinned channel."""

    def __init__(self, fields: dict, kind: str, *, action: str | None = None, channel_id: int | None = None):
        super().__init__({k: v for k, v in fields.items() if k not in DROPPED})
        self.kind = kind
        self.action = action or {"imagine": "IMAGINE", "blend": "BLEND", "describe": "DESCRIBE",
                                 "modal": "MODAL"}.get(kind)
        self.channel_id = channel_id


def action_of(custom_id) -> str:
    """The action of a button's customId ("MJ::JOB::upsample::2::<hash>"),
    read as new-api reads it."""
    parts = custom_id.split("::") if isinstance(custom_id, str) else []
    if len(parts) < 2:
        raise invalid_request("'customId' must be a button's customId, e.g. 'MJ::JOB::upsample::1::<hash>'.")
    name = parts[2] if parts[1] == "JOB" and len(parts) > 2 else parts[1]
    if "upsample" in name:
        return "UPSCALE"
    if name == "variation":
        return "VARIATION"
    if name == "low_variation":
        return "LOW_VARIATION"
    if name == "high_variation":
        return "HIGH_VARIATION"
    for needle, action in (("pan", "PAN"), ("reroll", "REROLL")):
        if needle in name:
            return action
    action = {"Outpaint": "ZOOM", "CustomZoom": "CUSTOM_ZOOM", "Inpaint": "INPAINT"}.get(name)
    if action is None:
        raise invalid_request(f"Unknown action in customId '{custom_id[:120]}'.")
    return action


def change_action(body: dict) -> str:
    action = body.get("action")
    if action not in CHANGE_ACTIONS:
        raise invalid_request(f"'action' must be one of {', '.join(CHANGE_ACTIONS)}.")
    index = body.get("index")
    if action != "REROLL" and (not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= 4):
        raise invalid_request("'index' must be 1, 2, 3 or 4.")
    return action


def _text(body: dict, name: str, required: bool = True) -> None:
    value = body.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        message = f"The '{name}' field must be a non-empty string."
        raise RelayError(400, "prompt_required", message) if name == "prompt" else invalid_request(message)


def _images(body: dict, name: str, least: int, most: int | None = None) -> None:
    value = body.get(name)
    if value is None and least == 0:
        return
    if not isinstance(value, list) or not least <= len(value) <= (most or len(value)) \
            or not all(isinstance(v, str) and v for v in value):
        bounds = f"{least} to {most}" if most else f"at least {least}"
        raise invalid_request(f"'{name}' must be a list of {bounds} base64 data URLs.")


def parse(body, headers=None) -> Ask:
    if not isinstance(body, MjRequest):
        raise invalid_request("The request body must be a JSON object.")
    check_forbidden(body)
    kind = body.kind
    if kind == "imagine":
        _text(body, "prompt")
        _images(body, "base64Array", 0)
    elif kind == "blend":
        _images(body, "base64Array", 2, BLEND_MOST)
        if body.get("dimensions") not in (None, *DIMENSIONS):
            raise invalid_request(f"'dimensions' must be one of {', '.join(DIMENSIONS)}.")
    elif kind == "describe":
        _text(body, "base64")
    elif kind == "action":
        _text(body, "customId")
    elif kind == "modal":
        _text(body, "prompt", required=False)
    usage = Usage()  # one task: the action's request price
    return Ask(model_id=MODELS[body.action], stream=False, prompt_bound=0, prompt_estimate=0, output_tokens=None,
               choices=1, body=dict(body), message_count=1, bound=usage, measure=usage,
               path=f"/mj/submit/{kind}", channel_id=body.channel_id)


def passthrough(ask: Ask, target, limit_changed: bool) -> Upstream:
    """The submit as the client made it (no model: the provider knows none)."""
    return Upstream(dict(ask.body), DIALECT, path=ask.path)


def return_code(status: int) -> int:
    """midjourney-proxy's code for an error of ours: 3 not found, 4 a bad
    request, 9 a failure."""
    return 3 if status == 404 else 4 if status < 500 else 9


def error_body(error: RelayError) -> dict:
    return {"code": return_code(error.status), "description": error.message, "result": None,
            "properties": {"error": error.code}}


DOOR = Door(name="midjourney", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=MediaWriter,
            answer=media_answer, error_body=error_body, key_headers=("authorization", "mj-api-secret"))

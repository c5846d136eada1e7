"""The moderations door (POST /v1/moderations): `input` as a string,
strings, or content parts ({type: text, text} / {type: image_url,
image_url: {url}}), an optional `model` (OpenAI's default when left out).
Passed through to channels that speak openai.moderations.

Moderation is free on OpenAI; here it costs the model's request price, and
its input tokens where the operator prices them: the hold is then the
prompt bound (an image at tokens.IMAGE_TOKENS). The real API reports no
usage, so the settlement is the local estimate unless an upstream says
otherwise."""
from __future__ import annotations

from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.convert.table import Target
from services.relay.doors import media
from services.relay.doors.base import Door
from services.relay.doors.embeddings import token_ask
from services.relay.doors.openai_chat import relay_error_body
from services.relay.errors import RelayError, invalid_request
from services.relay.tokens import json_value_tokens

DIALECT = "openai.moderations"
DEFAULT_MODEL = "omni-moderation-latest"  # the API's, when the client names none
MAX_INPUTS = 2048


def _part(part) -> bool:
    if not isinstance(part, dict):
        return False
    if part.get("type") == "text":
        return isinstance(part.get("text"), str)
    if part.get("type") == "image_url":
        image = part.get("image_url")
        return isinstance(image, dict) and isinstance(image.get("url"), str) and bool(image["url"])
    return False


def validate(body) -> dict:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    model = body.get("model", DEFAULT_MODEL)
    if not isinstance(model, str) or not model.strip():
        raise RelayError(400, "model_required", "The 'model' field must name a model.")
    value = body.get("input")
    if isinstance(value, str):
        pass
    elif isinstance(value, list) and value and len(value) <= MAX_INPUTS and (
            all(isinstance(v, str) for v in value) or all(_part(v) for v in value)):
        pass
    else:
        raise invalid_request("'input' must be a string, an array of strings, or an array of "
                              "{type: 'text', text} and {type: 'image_url', image_url: {url}} parts "
                              f"(at most {MAX_INPUTS}).")
    check_forbidden(body)
    return {**body, "model": model}


def parse(body, headers=None) -> Ask:
    body = validate(body)
    value = body["input"]
    return token_ask(body, json_value_tokens(value, bound=True), json_value_tokens(value))


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    return Upstream({**ask.body, "model": target.upstream_model}, DIALECT)


DOOR = Door(name="moderations", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=media.MediaWriter,
            answer=media.answer, error_body=relay_error_body)

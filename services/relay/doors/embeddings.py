"""The embeddings door (POST /v1/embeddings): `input` as a string, strings,
token ids or lists of token ids; `dimensions`; `encoding_format` float or
base64. Passed through to channels that speak openai.embeddings.

The upstream is always asked for floats (encoding_format left out, the
API's default, which every compatible upstream honours) and the door
writes what the client asked: the openai SDK asks for base64 unless told
otherwise and decodes only strings, so an upstream that answers floats
only must not reach it as floats. base64 is little-endian float32, as
OpenAI sends it.

Billed per input token at the model's input price: the hold is the prompt
bound (UTF-8 bytes of each string, the length of each token array), the
settlement `usage.prompt_tokens`, else the local estimate."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.convert.embeddings import from_base64, to_base64
from services.relay.convert.table import Target
from services.relay.doors import media
from services.relay.doors.base import Door
from services.relay.doors.openai_chat import _positive_int, require_model, relay_error_body
from services.relay.errors import invalid_request
from services.relay.tokens import bound_text_tokens, estimate_text_tokens

DIALECT = "openai.embeddings"
MAX_INPUTS = 2048  # OpenAI's limit on the items of one request
FORMATS = ("float", "base64")


def _token_ids(value) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in value)


def inputs(value) -> list:
    """The request's inputs as a list of strings or token-id lists; a 400
    for anything else (empty strings and arrays included, as OpenAI)."""
    if isinstance(value, str):
        items = [value]
    elif _token_ids(value):
        items = [value]  # one input given as token ids
    elif isinstance(value, list) and value:
        items = value
    else:
        raise invalid_request("'input' must be a non-empty string, array of strings, array of token ids "
                              "or array of token-id arrays.")
    if len(items) > MAX_INPUTS:
        raise invalid_request(f"'input' may hold at most {MAX_INPUTS} items.")
    for item in items:
        if isinstance(item, str):
            if not item:
                raise invalid_request("'input' cannot contain an empty string.")
        elif not _token_ids(item):
            raise invalid_request("Each item of 'input' must be a non-empty string or a non-empty array of "
                                  "token ids (non-negative integers).")
    return items


def input_tokens(items: list, *, bound: bool) -> int:
    text = bound_text_tokens if bound else estimate_text_tokens
    return sum(len(item) if isinstance(item, list) else text(item) for item in items)


def validate(body) -> list:
    require_model(body)
    items = inputs(body.get("input"))
    check_forbidden(body)
    _positive_int(body, "dimensions")
    fmt = body.get("encoding_format")
    if fmt is not None and fmt not in FORMATS:
        raise invalid_request("'encoding_format' must be 'float' or 'base64'.")
    return items


def token_ask(body: dict, bound: int, estimate: int) -> Ask:
    """An Ask billed on input tokens alone: the bound is the hold. Its
    inputs are not chat messages: MAX_MESSAGES does not count them (the
    family's own item limit does)."""
    return Ask(model_id=body["model"], stream=False, prompt_bound=bound, prompt_estimate=estimate,
               output_tokens=None, choices=1, body=body, message_count=1,
               bound=Usage(prompt_tokens=bound), measure=Usage(prompt_tokens=estimate))


def parse(body, headers=None) -> Ask:
    items = validate(body)
    return token_ask(body, input_tokens(items, bound=True), input_tokens(items, bound=False))


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    body = {k: v for k, v in ask.body.items() if k != "encoding_format"}
    body["model"] = target.upstream_model
    return Upstream(body, DIALECT)


def vector(item, fmt: str):
    """One embedding (floats, or base64 from an upstream that sent it so
    anyway) in the format the client asked for."""
    if fmt == "base64":
        return item if isinstance(item, str) else to_base64(item)
    return from_base64(item) if isinstance(item, str) else item


def answer(call, answer: dict, meter) -> dict:
    """The upstream's list, in the client's encoding and under its model
    name, with the credits charged in `usage` (and our estimate, marked,
    when the upstream reported none)."""
    body = media.answer(call, answer, meter)
    fmt = call.ask.body.get("encoding_format") or "float"
    data = []
    for entry in body.get("data") or ():
        if isinstance(entry, dict) and isinstance(entry.get("embedding"), (list, str)):
            entry = {**entry, "embedding": vector(entry["embedding"], fmt)}
        data.append(entry)
    usage = dict(body["usage"]) if isinstance(body.get("usage"), dict) and body["usage"] else None
    if usage is None or meter.usage is None:
        billed = call.billable(meter)
        usage = {"prompt_tokens": billed.prompt_tokens, "total_tokens": billed.prompt_tokens, "estimated": True}
    usage["credits"] = call.cost or 0
    return {**body, "data": data, "usage": usage}


DOOR = Door(name="embeddings", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=media.MediaWriter,
            answer=answer, error_body=relay_error_body)

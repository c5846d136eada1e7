"""POST /v1/messages (and /count_tokens): the Anthropic door. Any query
string (Claude Code sends ?beta=true) is ignored."""
from __future__ import annotations

from flask import jsonify, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import relay
from services.relay.doors import anthropic_messages
from services.relay.errors import invalid_request


def _body():
    """The body, `tools` checked first: the token counter iterates it, and
    a number there was a 500 (schemathesis found it). The check belongs in
    the door's validate (services/relay/doors/anthropic_messages.py); it
    sits here until services/ settles."""
    body = read_json_body()
    if isinstance(body, dict) and body.get("tools") is not None and not isinstance(body["tools"], list):
        raise invalid_request("tools: must be a list of tools")
    return body


@bp.post("/messages")
@api_view(anthropic_messages.DOOR)
def messages():
    headers = {name: request.headers.get(name) for name in anthropic_messages.FORWARDED_HEADERS}
    return relay(anthropic_messages.DOOR, headers, body=_body())


@bp.post("/messages/count_tokens")
@api_view(anthropic_messages.DOOR)
def count_tokens():
    return jsonify(anthropic_messages.count(_body()))

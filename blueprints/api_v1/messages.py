"""POST /v1/messages (and /count_tokens): the Anthropic door. Any query
string (Claude Code sends ?beta=true) is ignored."""
from __future__ import annotations

from flask import jsonify, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import relay
from services.relay.doors import anthropic_messages


@bp.post("/messages")
@api_view(anthropic_messages.DOOR)
def messages():
    headers = {name: request.headers.get(name) for name in anthropic_messages.FORWARDED_HEADERS}
    return relay(anthropic_messages.DOOR, headers)


@bp.post("/messages/count_tokens")
@api_view(anthropic_messages.DOOR)
def count_tokens():
    return jsonify(anthropic_messages.count(read_json_body()))

"""POST /v1/messages (and /count_tokens): the Anthropic door. Any query
string (Claude Code sends ?beta=true) is ignored."""
from __future__ import annotations

from functools import partial

from flask import Response, current_app, g, jsonify, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.chat import SSE_HEADERS, call_headers, client_info
from services.relay import run
from services.relay.call import prepare
from services.relay.doors import anthropic_messages


@bp.post("/messages")
@api_view
def messages():
    headers = {name: request.headers.get(name) for name in anthropic_messages.FORWARDED_HEADERS}
    call = prepare(g.api_key, read_json_body(), partial(anthropic_messages.ask, headers=headers),
                   request_id=g.request_id, client=client_info(), door="anthropic")
    if call.stream:
        upstream = run.open_stream(call)
        body = run.relay_stream(current_app._get_current_object(), call, upstream,
                                anthropic_messages.writer_for(call), request.environ.get("gunicorn.socket"))
        return Response(body, mimetype="text/event-stream", headers={**SSE_HEADERS, **call_headers(call)})
    answer, meter = run.complete(call)
    return Response(anthropic_messages.dumps(anthropic_messages.message_body(call, answer, meter)),
                    mimetype="application/json", headers=call_headers(call))


@bp.post("/messages/count_tokens")
@api_view
def count_tokens():
    return jsonify(anthropic_messages.count(read_json_body()))

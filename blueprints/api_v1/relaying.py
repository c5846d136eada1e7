"""What every relaying view does, whatever the door: prepare the call, then
answer with a stream or a body."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1.body import read_json_body
from services import metrics
from services.relay import run
from services.relay.call import ClientInfo, prepare

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def client_info() -> ClientInfo:
    return ClientInfo(ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))


def call_headers(call) -> dict:
    headers = {}
    if call.lowered_max_tokens is not None:
        headers["x-tollgate-max-tokens"] = str(call.lowered_max_tokens)
    return headers


def relay(make_ask, door: str, writer_for, answer_body) -> Response:
    """`make_ask` reads the body as the door's Ask; `writer_for(call)` writes
    its stream; `answer_body(call, answer, meter)` shapes a non-stream answer."""
    call = prepare(g.api_key, read_json_body(), make_ask, request_id=g.request_id, client=client_info(),
                   door=door)
    headers = call_headers(call)
    if call.stream:
        upstream = run.open_stream(call)
        body = run.relay_stream(current_app._get_current_object(), call, upstream, writer_for(call),
                                request.environ.get("gunicorn.socket"))
        body = metrics.track_stream(door, body)
        return Response(body, mimetype="text/event-stream", headers={**SSE_HEADERS, **headers})
    answer, meter = run.complete(call)
    return Response(orjson.dumps(answer_body(call, answer, meter)), mimetype="application/json",
                    headers=headers)

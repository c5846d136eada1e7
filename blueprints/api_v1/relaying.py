"""What every relaying view does, whatever the door: prepare the call, then
answer with a stream or a body."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1.body import read_json_body
from services import metrics
from services.relay import run
from services.relay.call import ClientInfo, prepare
from services.relay.doors.base import Door, RawBody

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def json_response(body, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def content_response(result) -> Response:
    """A task's result relayed as it arrives (services.tasks.access.Content)."""
    headers = {"Content-Length": result.length} if result.length else {}
    return Response(result, content_type=result.content_type, headers=headers, direct_passthrough=True)


def site_url() -> str:
    """This site's address, for the result URLs a task's views hand out."""
    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


def client_info() -> ClientInfo:
    return ClientInfo(ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))


def call_headers(call) -> dict:
    headers = {}
    if call.lowered_max_tokens is not None:
        headers["x-tollgate-max-tokens"] = str(call.lowered_max_tokens)
    return headers


def relay(door: Door, headers: dict | None = None, body=None, on_answer=None) -> Response:
    """Prepare the call through `door`, then answer with a stream or a
    body; `on_answer(answer)` is called with a finished answer (as the
    client reads it) once the call is settled."""
    call = prepare(g.api_key, read_json_body() if body is None else body, headers or {}, door,
                   request_id=g.request_id, client=client_info())
    call.on_answer = on_answer
    response_headers = call_headers(call)
    if call.stream:
        upstream = run.open_stream(call)
        stream = run.relay_stream(current_app._get_current_object(), call, upstream, door.writer(call),
                                  request.environ.get("gunicorn.socket"))
        stream = metrics.track_stream(door.name, stream)
        # SSE, or the upstream's own type for a binary answer (speech audio)
        content_type = getattr(upstream, "content_type", None)
        if content_type:
            return Response(stream, content_type=content_type, headers={**SSE_HEADERS, **response_headers})
        return Response(stream, mimetype="text/event-stream", headers={**SSE_HEADERS, **response_headers})
    answer, meter = run.complete(call)
    answer = door.answer(call, answer, meter)
    if isinstance(answer, RawBody):
        return Response(answer.content, content_type=answer.content_type, headers=response_headers)
    if on_answer is not None:
        on_answer(answer)
    return Response(orjson.dumps(answer), mimetype="application/json", headers=response_headers)

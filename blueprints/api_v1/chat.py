"""POST /v1/chat/completions: the OpenAI door."""
from __future__ import annotations

import orjson
from flask import Response, current_app, g, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from services.relay import run
from services.relay.call import ClientInfo, prepare
from services.relay.doors import openai_chat

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def client_info() -> ClientInfo:
    return ClientInfo(ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))


def call_headers(call) -> dict:
    headers = {}
    if call.lowered_max_tokens is not None:
        headers["x-tollgate-max-tokens"] = str(call.lowered_max_tokens)
    return headers


@bp.post("/chat/completions")
@api_view
def chat_completions():
    call = prepare(g.api_key, read_json_body(), openai_chat.ask, request_id=g.request_id,
                   client=client_info(), door="openai")
    if call.stream:
        upstream = run.open_stream(call)
        body = run.relay_stream(current_app._get_current_object(), call, upstream,
                                openai_chat.OpenAIChatWriter(call), request.environ.get("gunicorn.socket"))
        return Response(body, mimetype="text/event-stream", headers={**SSE_HEADERS, **call_headers(call)})
    completion, meter = run.complete(call)
    return Response(orjson.dumps(openai_chat.completion_body(call, completion, meter)),
                    mimetype="application/json", headers=call_headers(call))

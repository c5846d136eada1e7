"""The OpenAPI description of GET /v1/realtime: OpenAI's Realtime API, a
WebSocket (OpenAPI has no words for one: the upgrade is the 101, and a
plain GET that passes the checks is answered 426). Merged into the /v1
paths by blueprints.apidocs.spec."""
from __future__ import annotations

from blueprints.apidocs.spec import OPENAI_SECURITY, json_content, openai_errors, ref

ERRORS = (400, 401, 402, 404, 429, 502, 503)


def realtime_paths() -> dict:
    errors = openai_errors(*ERRORS)
    errors["400"] = {**errors["400"], "description": "No `model` query parameter (`model_required`)."}
    errors["502"] = {**errors["502"], "description": "The upstream refused the session, failed or could not be "
                                                     "reached (`provider_error`)."}
    errors["503"] = {**errors["503"], "description": "No channel speaking `openai.realtime` serves the model "
                                                     "(`provider_not_configured`), or every one is failing."}
    return {"/realtime": {"get": {
        "operationId": "createRealtimeSession", "tags": ["OpenAI"], "summary": "Realtime session (WebSocket)",
        "description": "OpenAI's Realtime API as a WebSocket relay: connect with `Upgrade: websocket`; every "
                       "frame (text or binary) is relayed both ways as it comes, GA and beta event names alike. "
                       "The key is a Bearer token or, from a browser, the subprotocol "
                       "`openai-insecure-api-key.<key>` next to `realtime` (the upgrade answers `realtime`). "
                       "Key, model, channel and the first hold are checked before the upgrade. Billed per "
                       "response: each `response.done`'s usage is charged, and one response's worst case "
                       "(context window at the input price plus the model's output cap at the output price) is "
                       "held before the next may run; when it cannot be, an `insufficient_credits` error event "
                       "is sent and the session closed (1008).",
        "security": OPENAI_SECURITY,
        "parameters": [{"name": "model", "in": "query", "required": True, "schema": {"type": "string"},
                        "example": "gpt-realtime", "description": "The model, as `/v1/models` lists it."}],
        "responses": {
            "101": {"description": "Switching to the WebSocket (subprotocol `realtime` when offered)."},
            "426": {"description": "A plain GET: the key, model and channel are fine, but this is a WebSocket "
                                   "endpoint (`upgrade_required`).", "content": json_content(ref("OpenAIError"))},
            **errors}}}}

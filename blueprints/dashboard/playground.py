"""The playground: chat with a model through one of your own keys.

    GET  /dashboard/playground        the page (static/js/playground.js drives it)
    POST /dashboard/playground/chat   {"key_id", "model", "messages"} -> SSE

The chat call is a /v1/chat/completions call made on behalf of the chosen
key: the same rate limit budget (per key, shared with /v1), the same
prepare (limits, hold), run and settle, and the same request log, with the
answer streamed as OpenAI chat chunks whose last chunk carries
usage.credits. Refusals before the stream are JSON
{"error": {"code", "message", "detail"}} with the relay's status; the key
of another account, a disabled, deleted or expired key are all 404."""
from __future__ import annotations

from flask import current_app, g, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.api_v1.auth import RateLimited, rate_limited
from blueprints.api_v1.relaying import relay
from blueprints.dashboard import bp
from blueprints.json_body import BodyTooLarge, json_object
from i18n import N_
from services import playground
from services.relay.doors.openai_chat import DOOR as OPENAI_DOOR
from services.relay.errors import RelayError

# What the page shows for a refusal, in the visitor's language; the relay's
# own (English) message rides along as "detail".
MESSAGES = {
    "insufficient_credits": N_("Not enough credits for this answer: top up your account or raise the key's spend cap."),
    "model_not_available": N_("This key may not use this model."),
    "rate_limited": N_("Too many requests with this key. Wait a moment and try again."),
    "request_too_large": N_("The conversation is too long. Start a new chat."),
    "provider_error": N_("The model's provider is not answering. Try again later."),
    "provider_not_configured": N_("The model's provider is not answering. Try again later."),
    "invalid_api_key": N_("This key cannot be used."),
    "api_disabled": N_("API access is disabled for this account."),
    "key_not_found": N_("No such key."),
    "invalid_request": N_("The request was not accepted."),
    "unauthorized": N_("Sign in first."),
}


def _error(status: int, code: str, detail: str | None = None):
    message = _(MESSAGES.get(code, "The request was not accepted."))
    return jsonify({"error": {"code": code, "message": message, "detail": detail or message}}), status


@bp.get("/playground")
@login_required
def playground_page():
    return render_template("dashboard/playground.html", keys=playground.usable_keys(current_user.account_id),
                           max_chars=current_app.config["MAX_REQUEST_BYTES"] // 4)


@rate_limited
def _relay_for_key(body: dict):
    """The relay as /v1 runs it, under the key's own rate limit budget
    (the limiter reads the key from g.api_key, as for /v1)."""
    return relay(OPENAI_DOOR, body=body)


@bp.post("/playground/chat")
def playground_chat():
    if not current_user.is_authenticated:
        return _error(401, "unauthorized")
    limit = current_app.config["MAX_REQUEST_BYTES"]
    try:
        body = json_object(limit)
    except BodyTooLarge:
        return _error(413, "request_too_large")
    if body is None:
        return _error(400, "invalid_request", "The body must be a JSON object.")
    key = playground.owned_key_context(current_user.account_id, body.get("key_id"))
    if key is None:
        return _error(404, "key_not_found")
    if not key.account_active:
        return _error(403, "api_disabled")
    model, messages = body.get("model"), playground.clean_messages(body.get("messages"))
    if not isinstance(model, str) or not model.strip() or len(model) > 128 or messages is None:
        return _error(400, "invalid_request", "A model and a non-empty list of {role, content} messages are required.")
    g.api_key, g.door = key, OPENAI_DOOR
    chat = {"model": model, "messages": messages, "stream": True, "stream_options": {"include_usage": True}}
    try:
        return _relay_for_key(chat)
    except RateLimited:
        return _error(429, "rate_limited")
    except RelayError as exc:
        return _error(exc.status, exc.code, exc.message)

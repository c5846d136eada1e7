"""The dashboard's JSON token API, for the signed-in user's own keys:

    GET    /api/tokens               {"ok": true, "items": [token, ...]}
    POST   /api/tokens               {"ok": true, "token": token, "plainKey": "sk-..."}   (201)
    PATCH  /api/tokens/<id>/disable  {"ok": true, "token": token}   (status "REVOKED")
    DELETE /api/tokens/<id>          {"ok": true}

Errors: {"ok": false, "error": {"code", "message"}}. The session cookie
authenticates (401 without one) and every write needs the X-CSRFToken
header (CSRF stays on for this blueprint, unlike the cookie-less helper
API). A key of another user, or a deleted one, is 404."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify
from flask_login import current_user, login_required

from blueprints.json_body import BodyTooLarge, json_object
from blueprints.session_auth import no_store
from services.identity import claims, key_admin
from services.identity.key_admin import KeyError_

bp = Blueprint("tokens_api", __name__)
CAP_FIELDS = {"spendCap": "spend_cap", "expiresAt": "expires_at", "allowedModels": "allowed_models", "rpm": "rpm"}


def _iso(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def token_view(key) -> dict:
    return {"id": f"key_{key.id}", "displayName": key.name, "maskedKey": key.masked,
            "status": key_admin.shown_status(key), "createdAt": _iso(key.created_at),
            "lastUsedAt": _iso(key.last_used_at), "spent": key.spent, "spendCap": key.spend_cap,
            "expiresAt": _iso(key.expires_at), "allowedModels": key.allowed_models, "rpm": key.rpm}


def _error(code: str, message: str, status: int = 400):
    return jsonify({"ok": False, "error": {"code": code, "message": message}}), status


@bp.errorhandler(KeyError_)
def _refused(exc: KeyError_):
    return _error(exc.code, str(exc))


def _key_id(token_id: str) -> int:
    """`key_12` (as listed) or a bare `12`."""
    text = token_id[4:] if token_id.startswith("key_") else token_id
    # isascii: str.isdigit() is also true for "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        abort(404, "No such token.")
    return int(text)


bp.after_request(no_store)


@bp.get("")
@login_required
def list_tokens():
    return jsonify({"ok": True, "items": [token_view(k) for k in key_admin.list_keys(current_user.account_id)]})


@bp.post("")
@login_required
def create_token():
    limit = current_app.config["MAX_REQUEST_BYTES"]
    try:
        body = json_object(limit)
    except BodyTooLarge:
        return _error("invalid_payload", f"The request body exceeds {limit} bytes.", 413)
    if body is None:
        return _error("invalid_payload", "The body must be a JSON object.")
    caps = key_admin.parse_caps(**{name: body.get(field) for field, name in CAP_FIELDS.items()})
    name = key_admin.clean_name(body.get("displayName"))
    key, raw = key_admin.create(claims.ensure_account(current_user.id), name, caps)
    return jsonify({"ok": True, "token": token_view(key), "plainKey": raw}), 201


@bp.patch("/<token_id>/disable")
@login_required
def disable_token(token_id: str):
    key = key_admin.disable(current_user.account_id, _key_id(token_id))
    if key is None:
        abort(404, "No such token.")
    return jsonify({"ok": True, "token": token_view(key)})


@bp.delete("/<token_id>")
@login_required
def delete_token(token_id: str):
    if not key_admin.delete(current_user.account_id, _key_id(token_id)):
        abort(404, "No such token.")
    return jsonify({"ok": True})

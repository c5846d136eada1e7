"""The JSON helper API of the customer's documents, under /api: packages,
purchase and top-up orders (create, pay, query), key preview, quota and usage.

Envelope: {"ok": true, "data": ...} or {"ok": false, "error": {"code",
"message", "reason"}}. No cookies or sessions are used here (callers prove
themselves with an order number plus its email, or with an API key in the
body), so the blueprint is deliberately exempt from CSRF."""
from __future__ import annotations

import time
from contextlib import contextmanager

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from blueprints.json_body import BodyTooLarge, json_object
from extensions import limiter
from models.commerce import PURCHASE, TOPUP
from services.identity import key_views
from services.identity.keys import authenticate
from services.store.orders import create, lookup, payment
from services.store.orders.errors import StoreError
from services.store.packages import list_packages, package_view

bp = Blueprint("store_api", __name__)


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, reason: str | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.reason = code, message, status, reason


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    error = {"code": exc.code, "message": exc.message}
    if exc.reason:
        error["reason"] = exc.reason
    return jsonify({"ok": False, "error": error}), exc.status


def json_http_error(exc: HTTPException):
    """404, 405, 429, 500 ... under /api, in the envelope."""
    code = {429: "RATE_LIMIT", 404: "not_found", 405: "method_not_allowed", 413: "invalid_payload"}.get(
        exc.code, "SERVER_ERROR" if (exc.code or 500) >= 500 else "invalid_request")
    message = "Too many requests; retry later." if exc.code == 429 else (exc.description or exc.name)
    return jsonify({"ok": False, "error": {"code": code, "message": message}}), exc.code or 500


def ok(data, status: int = 200):
    return jsonify({"ok": True, "data": data}), status


def payload(*required: str) -> dict:
    limit = current_app.config["MAX_REQUEST_BYTES"]
    try:
        body = json_object(limit)
    except BodyTooLarge:
        raise ApiError("invalid_payload", f"The request body exceeds {limit} bytes.", 413) from None
    if body is None:
        raise ApiError("invalid_payload", "The body must be a JSON object.")
    for name in required:
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise ApiError("invalid_payload", f"'{name}' is required (a string).")
    for name, value in body.items():
        if value is not None and not isinstance(value, (str, int, bool)):
            raise ApiError("invalid_payload", f"'{name}' has the wrong type.")
    return body


@contextmanager
def failure(code: str, not_found_code: str | None = None):
    """Map the rules' errors to the documents' codes for this endpoint."""
    try:
        yield
    except StoreError as exc:
        if exc.reason == "order_not_found" and not_found_code:
            raise ApiError(not_found_code, exc.message, 404, exc.reason) from None
        raise ApiError(code, exc.message, 404 if exc.reason == "order_not_found" else 400, exc.reason) from None


def lookup_limit() -> str:
    return f"{current_app.config['STOREFRONT_LOOKUP_RPM']}/minute"


limited = limiter.limit(lookup_limit, key_func=lambda: request.remote_addr or "unknown")


def _string(body: dict, name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) else None


def _pay_data(order) -> dict:
    return {"orderNo": order.order_no, "provider": order.provider, "amountCents": order.amount_cents,
            "qrCode": order.qr_code, "checkoutUrl": lookup.pay_url(order),
            "qrcodeUrl": url_for("store.qr_image", order_no=order.order_no, contactEmail=order.contact_email)
            if order.qr_code and order.status == "pending" else None,
            "status": order.status.upper(), "expiresAt": lookup.view(order)["expiresAt"]}


@bp.get("/topup/packages")
def topup_packages():
    return ok([package_view(p) for p in list_packages(TOPUP)])


@bp.get("/purchase/plans")
def purchase_plans():
    return ok([package_view(p) for p in list_packages(PURCHASE)])


@bp.post("/purchase/orders")
@limited
def purchase_create():
    body = payload("planCode")
    email = _string(body, "email") or _string(body, "contactEmail")
    with failure("purchase_order_create_failed"):
        order = create.create_purchase(body["planCode"], email, coupon_code=_string(body, "couponCode"),
                                       source_page=_string(body, "sourcePage") or "api")
    return ok({"orderNo": order.order_no, "amountCents": order.amount_cents, "priceCents": order.price_cents,
               "discountCents": order.discount_cents, "contactEmail": order.contact_email,
               "payUrl": lookup.pay_url(order)}, 201)


@bp.post("/purchase/pay")
@limited
def purchase_pay():
    body = payload("orderNo", "contactEmail")
    with failure("purchase_pay_failed", "purchase_order_not_found"):
        order = payment.start(lookup.find(body["orderNo"], body["contactEmail"], PURCHASE))
    return ok(_pay_data(order))


@bp.post("/purchase/query")
@limited
def purchase_query():
    body = payload("orderNo", "contactEmail")
    with failure("purchase_order_not_found", "purchase_order_not_found"):
        order = payment.refresh(lookup.find(body["orderNo"], body["contactEmail"], PURCHASE))
    return ok(lookup.view(order))


@bp.post("/purchase/key")
@limited
def purchase_key():
    """The purchased key, once. Later calls answer purchase_key_unavailable."""
    body = payload("orderNo", "contactEmail")
    with failure("purchase_order_not_found", "purchase_order_not_found"):
        order = payment.refresh(lookup.find(body["orderNo"], body["contactEmail"], PURCHASE))
    try:
        raw = lookup.claim_key(order)
    except StoreError as exc:
        raise ApiError("purchase_key_unavailable", exc.message, exc.status, exc.reason) from None
    return ok({"orderNo": order.order_no, "apiKey": raw, "tokenName": f"Key for {order.order_no}"})


@bp.post("/topup/preview")
@limited
def topup_preview():
    body = payload("apiKey")
    with failure("topup_preview_failed"):
        data = key_views.quota(create.topup_target(body["apiKey"]))
    return ok(data)


@bp.post("/topup/orders")
@limited
def topup_create():
    body = payload("apiKey", "packageCode", "contactEmail")
    with failure("topup_order_create_failed"):
        order = create.create_topup(body["apiKey"], body["packageCode"], body["contactEmail"],
                                    coupon_code=_string(body, "couponCode"),
                                    source_page=_string(body, "sourcePage") or "api")
    return ok({"orderNo": order.order_no, "amountCents": order.amount_cents, "priceCents": order.price_cents,
               "discountCents": order.discount_cents, "contactEmail": order.contact_email,
               "payUrl": lookup.pay_url(order)}, 201)


@bp.post("/topup/pay")
@limited
def topup_pay():
    body = payload("orderNo", "contactEmail")
    with failure("topup_pay_failed", "topup_order_not_found"):
        order = payment.start(lookup.find(body["orderNo"], body["contactEmail"], TOPUP))
    return ok(_pay_data(order))


@bp.post("/topup/query")
@limited
def topup_query():
    body = payload("orderNo", "contactEmail")
    with failure("topup_order_not_found", "topup_order_not_found"):
        order = payment.refresh(lookup.find(body["orderNo"], body["contactEmail"], TOPUP))
    return ok(lookup.view(order))


def _key_from_body():
    body = payload("apiKey")
    key = authenticate(body["apiKey"].strip())
    if key is None:
        raise ApiError("INVALID_KEY", "The API key was not accepted.")
    return key, body


@bp.post("/quota/query")
@limited
def quota_query():
    started = time.perf_counter()
    key, _body = _key_from_body()
    data = key_views.quota(key)
    return ok({"tokenName": data["tokenName"], "maskedKey": data["maskedKey"],
               "totalTokens": data["totalQuota"], "usedTokens": data["usedQuota"],
               "remainingTokens": data["availableQuota"],
               "responseTimeMs": round((time.perf_counter() - started) * 1000)})


@bp.post("/usage/logs")
@limited
def usage_logs():
    key, body = _key_from_body()
    limit = body.get("limit", 50)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ApiError("invalid_payload", "'limit' must be a positive integer (at most 200).")
    return ok(key_views.usage(key, limit))

"""Models, balance and the OpenAI-style billing endpoints chat front-ends read."""
from __future__ import annotations

import time

from flask import current_app, g, jsonify

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from services.catalog.snapshot import visible_models
from services.identity import key_views
from services.relay.doors.openai_chat import DOOR as OPENAI_DOOR
from services.relay.errors import RelayError


def model_object(info) -> dict:
    price = info.price
    return {
        "id": info.id, "object": "model", "created": info.created, "owned_by": info.owned_by,
        "display_name": info.display_name, "category": info.category,
        "capabilities": list(info.capabilities), "context_window": info.context_window,
        "max_output_tokens": info.max_output_tokens,
        "pricing": pricing_object(price),
        "credit_cost": price.request,  # the flat credits per call, under the name relays' model lists use
    }


def pricing_object(price) -> dict:
    """Token prices always; the unit prices a model has, each with its unit."""
    out = {"unit": "credits per 1M tokens", "input": price.input, "output": price.output,
           "cache_read": price.cache_read, "request": price.request}
    if price.cache_write is not None:
        out["cache_write"] = price.cache_write
    if price.image:
        out["image"] = {"unit": "credits per image, by SIZE/QUALITY", "tiers": dict(price.image)}
    if price.image_input is not None:
        out["image_input"] = {"unit": "credits per 1M image input tokens", "price": price.image_input}
    if price.video:
        out["video"] = {"unit": "credits per second of video, by SIZE", "tiers": dict(price.video)}
    for name, unit in (("character", "credits per 1M characters"), ("second", "credits per second of audio or video"),
                       ("search_unit", "credits per search unit (one query over up to 100 documents)")):
        if getattr(price, name):
            out[name] = {"unit": unit, "price": getattr(price, name)}
    return out


@bp.get("/models")
@api_view(OPENAI_DOOR)
def list_models():
    models = sorted(visible_models(g.api_key), key=lambda m: m.id)
    return jsonify({"object": "list", "data": [model_object(m) for m in models]})


@bp.get("/models/<path:model_id>")
@api_view(OPENAI_DOOR)
def get_model(model_id: str):
    for model in visible_models(g.api_key):
        if model.id == model_id:
            return jsonify(model_object(model))
    raise RelayError(404, "model_not_available", f"The model '{model_id}' is not available.")


@bp.get("/balance")
@api_view(OPENAI_DOOR)
def balance():
    return jsonify(key_views.balance_view(g.api_key))


@bp.get("/dashboard/billing/subscription")
@api_view(OPENAI_DOOR)
def billing_subscription():
    info = key_views.balance_view(g.api_key)
    unit = current_app.config["CREDITS_PER_DISPLAY_UNIT"]
    total = (info["balance"] + info["key"]["spent"]) / unit
    expires = g.api_key.expires_at
    return jsonify({
        "object": "billing_subscription", "has_payment_method": True,
        "soft_limit_usd": total, "hard_limit_usd": total, "system_hard_limit_usd": total,
        "access_until": int(expires.timestamp()) if expires else int(time.time()) + 10 * 365 * 86400,
        "credits_per_unit": unit,
    })


@bp.get("/dashboard/billing/usage")
@api_view(OPENAI_DOOR)
def billing_usage():
    info = key_views.balance_view(g.api_key)
    unit = current_app.config["CREDITS_PER_DISPLAY_UNIT"]
    # Chat front-ends read total_usage in hundredths of the unit.
    return jsonify({"object": "list", "total_usage": info["key"]["spent"] * 100 / unit})

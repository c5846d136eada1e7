"""Examples for the docs page, built by the running code (the same view
functions the API answers with), so the shapes shown are the real ones."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app

from blueprints.api_v1.account import model_object
from models import Order
from models.base import utcnow
from models.commerce import PURCHASE, TOPUP
from services.store.orders import lookup
from services.store.packages import list_packages, package_view


def pretty(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def ok(data) -> str:
    return pretty({"ok": True, "data": data})


def _sample_order(kind: str) -> Order:
    now = utcnow().replace(microsecond=0)
    package = (list_packages(kind) or [None])[0]
    price = package.price_cents if package else 2000
    return Order(order_no=("BUY" if kind == PURCHASE else "TOP") + now.strftime("%Y%m%d%H%M") + "K7QX2M",
                 kind=kind, status="paid", contact_email="buyer@example.com",
                 package_code=package.code if package else "plan_20",
                 package_name=package.name if package else "20 CNY plan", price_cents=price, discount_cents=0,
                 amount_cents=price, base_credits=package.base_credits if package else 1_000_000_000,
                 bonus_credits=package.bonus_credits if package else 0, provider="alipay",
                 delivery_state="delivered", created_at=now, expires_at=now + timedelta(minutes=15),
                 paid_at=now + timedelta(minutes=1))


def helper_examples() -> dict:
    purchase, topup = _sample_order(PURCHASE), _sample_order(TOPUP)
    topups = list_packages(TOPUP)
    return {
        "packages": ok([package_view(p) for p in topups[:1]]),
        "purchase_query": ok(lookup.view(purchase)),
        "topup_query": ok(lookup.view(topup)),
        "error": pretty({"ok": False, "error": {"code": "purchase_order_not_found",
                                                "message": "No order matches this order number and email.",
                                                "reason": "order_not_found"}}),
    }


def models_example(models) -> str:
    return pretty({"object": "list", "data": [model_object(m) for m in models[:1]]})


def limits() -> dict:
    config = current_app.config
    return {"rpm": config["DEFAULT_KEY_RPM"], "rpd": config["DEFAULT_KEY_RPD"],
            "ip_rpm": config["UNAUTHENTICATED_RPM"], "lookup_rpm": config["STOREFRONT_LOOKUP_RPM"],
            "max_bytes": config["MAX_REQUEST_BYTES"]}


def has_route(rule: str) -> bool:
    return any(r.rule == rule for r in current_app.url_map.iter_rules())

"""Finding an order (its number and the matching contact email, always both),
showing it, and handing a purchased key over once."""
from __future__ import annotations

import hmac
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import select, update

from extensions import db
from models import ApiKey, Order
from models.base import utcnow
from models.commerce import PURCHASE, TOPUP
from services.crypto import decrypt_secret
from services.store.orders.errors import StoreError, not_found

orders = Order.__table__
PAY_PATHS = {PURCHASE: "/pricing/pay", TOPUP: "/topup/pay"}


def find(order_no: str | None, email: str | None, kind: str | None = None) -> Order:
    order_no = (order_no or "").strip().upper()
    email = (email or "").strip().lower()
    if not order_no or not email or len(order_no) > 32:
        raise not_found()
    order = db.session.scalar(select(Order).where(Order.order_no == order_no))
    if order is None or (kind and order.kind != kind) or \
            not hmac.compare_digest(order.contact_email.encode(), email.encode()):
        raise not_found()
    return order


def pay_url(order: Order) -> str:
    return PAY_PATHS[order.kind] + "?" + urlencode({"orderNo": order.order_no, "contactEmail": order.contact_email})


def _iso(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def view(order: Order) -> dict:
    """The helper API's shape for an order (fields of the customer's documents)."""
    data = {
        "orderNo": order.order_no, "kind": order.kind, "status": order.status.upper(),
        "contactEmail": order.contact_email, "packageCode": order.package_code,
        "packageName": order.package_name, "currency": "CNY", "priceCents": order.price_cents,
        "discountCents": order.discount_cents, "amountCents": order.amount_cents,
        "couponCode": order.coupon_code, "baseQuotaAmount": order.base_credits,
        "bonusQuotaAmount": order.bonus_credits, "quotaAmount": order.credits,
        "provider": order.provider, "payUrl": pay_url(order), "createdAt": _iso(order.created_at),
        "expiresAt": _iso(order.expires_at), "paidAt": _iso(order.paid_at),
    }
    delivered = order.delivery_state == "delivered"
    if order.kind == PURCHASE:
        data["planCode"] = order.package_code
        data["deliveryState"] = "DELIVERED" if delivered else "PENDING"
        data["keyAvailable"] = bool(order.key_ciphertext)
    else:
        data["credited"] = delivered
    if order.key_id is not None:
        last4 = db.session.scalar(select(ApiKey.last4).where(ApiKey.id == order.key_id))
        data["maskedKey"] = f"sk-****{last4}" if last4 else None
    return data


def claim_key(order: Order) -> str:
    """The purchased key's plaintext, the first time only (then it is wiped)."""
    if order.kind != PURCHASE or order.delivery_state != "delivered":
        raise StoreError("key_not_ready", "The key is delivered once the order is paid.", 409)
    ciphertext = order.key_ciphertext
    if not ciphertext:
        raise StoreError("key_already_shown", "The key was already shown once (and sent to your email).", 410)
    won = db.session.execute(
        update(orders).where(orders.c.id == order.id, orders.c.key_ciphertext == ciphertext)
        .values(key_ciphertext=None, key_revealed_at=utcnow())).rowcount == 1
    db.session.commit()
    if not won:
        raise StoreError("key_already_shown", "The key was already shown once (and sent to your email).", 410)
    return decrypt_secret(current_app.config["SECRET_KEY"], ciphertext)

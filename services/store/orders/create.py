"""Creating orders: a first purchase (a plan for a new key) or a top-up (a
package for an existing key). Prices and coupons are applied here, never
taken from the client."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert, select

from extensions import db
from models import Order
from models.base import utcnow
from models.commerce import ORDER_PENDING, PURCHASE, TOPUP
from services.store import coupons
from services.identity.keys import authenticate
from services.store.orders.errors import StoreError
from services.store.packages import get_package
from i18n import N_

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]{1,63})+$")
PREFIX = {PURCHASE: "BUY", TOPUP: "TOP"}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud to support


def normalize_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL.match(email):
        raise StoreError("email_invalid", N_("A valid contact email is required."))
    return email


def new_order_no(kind: str) -> str:
    """BUY202604060930K7QX2M: kind, UTC minute, 6 random characters."""
    return PREFIX[kind] + utcnow().strftime("%Y%m%d%H%M") + "".join(
        secrets.choice(_ALPHABET) for _ in range(6))


def create_purchase(plan_code: str, email: str, *, coupon_code: str | None = None,
                    source_page: str | None = None) -> Order:
    email = normalize_email(email)
    package = get_package(plan_code, PURCHASE)
    if package is None:
        raise StoreError("package_unknown", "No such plan.")
    return _create(PURCHASE, package, email, coupon_code, source_page=source_page)


def create_topup(raw_key: str, package_code: str, email: str, *, coupon_code: str | None = None,
                 source_page: str | None = None) -> Order:
    key = topup_target(raw_key)
    email = normalize_email(email)
    package = get_package(package_code, TOPUP)
    if package is None:
        raise StoreError("package_unknown", "No such top-up package.")
    return _create(TOPUP, package, email, coupon_code, account_id=key.account_id, key_id=key.id,
                   source_page=source_page)


def topup_target(raw_key: str | None):
    """The key a top-up would credit, or StoreError (unknown, malformed,
    disabled, expired and suspended alike)."""
    key = authenticate((raw_key or "").strip())
    if key is None or not key.account_active:
        raise StoreError("key_invalid", "This API key cannot be topped up: check that it is complete and active.")
    return key


def _create(kind: str, package, email: str, coupon_code: str | None, *, account_id: int | None = None,
            key_id: int | None = None, source_page: str | None = None) -> Order:
    coupon, discount = coupons.quote(coupon_code, package)
    now = utcnow()
    order_no = new_order_no(kind)
    values = {
        "order_no": order_no, "kind": kind, "status": ORDER_PENDING, "contact_email": email,
        "package_code": package.code, "package_name": package.name, "price_cents": package.price_cents,
        "discount_cents": discount, "amount_cents": package.price_cents - discount,
        "base_credits": package.base_credits, "bonus_credits": package.bonus_credits,
        "coupon_id": coupon.id if coupon else None, "coupon_code": coupon.code if coupon else None,
        "account_id": account_id, "key_id": key_id, "provider": current_app.config["PAYMENT_PROVIDER"],
        "delivery_state": "pending", "source_page": (source_page or "")[:40] or None,
        "created_at": now, "expires_at": now + timedelta(seconds=current_app.config["ORDER_TTL_SECONDS"]),
    }
    db.session.rollback()  # release the session's read snapshot before writing (SQLite)
    with db.engine.begin() as conn:
        if coupon is not None and not coupons.claim(conn, coupon.id):
            raise StoreError("coupon_used_up", "This coupon has been used up.")
        conn.execute(insert(Order.__table__).values(**values))
    return db.session.scalar(select(Order).where(Order.order_no == order_no))

"""Coupons: priced on the server, bound to one order, and counted with a
conditional UPDATE so the race for the last use has exactly one winner."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text

from extensions import db
from models import Coupon, Package
from models.base import utcnow
from services.store.orders.errors import StoreError

_CLAIM = text("UPDATE coupons SET used = used + 1 "
              "WHERE id = :id AND active = :yes AND (max_uses IS NULL OR used < max_uses)")
_RELEASE = text("UPDATE coupons SET used = used - 1 WHERE id = :id AND used > 0")


def normalize(code: str | None) -> str:
    return (code or "").strip().upper()


def quote(code: str | None, package: Package, now: datetime | None = None) -> tuple[Coupon | None, int]:
    """(coupon, discount in cents) for this package, or StoreError. No code: (None, 0).
    Uses left are checked again, atomically, when the order takes one (claim)."""
    code = normalize(code)
    if not code:
        return None, 0
    now = now or utcnow()
    coupon = db.session.scalar(select(Coupon).where(Coupon.code == code))
    if coupon is None or not coupon.active:
        raise StoreError("coupon_invalid", "This coupon does not exist.")
    if (coupon.valid_from and now < coupon.valid_from) or (coupon.valid_until and now >= coupon.valid_until):
        raise StoreError("coupon_expired", "This coupon is not valid now.")
    if coupon.package_codes and package.code not in coupon.package_codes:
        raise StoreError("coupon_not_applicable", "This coupon does not apply to this package.")
    if coupon.max_uses is not None and coupon.used >= coupon.max_uses:
        raise StoreError("coupon_used_up", "This coupon has been used up.")
    discount = discount_cents(coupon.kind, coupon.value, package.price_cents)
    if discount >= package.price_cents:
        # A total of zero or less would hand out credits for nothing.
        raise StoreError("coupon_not_applicable", "This coupon cannot bring the total to zero.")
    return coupon, discount


def discount_cents(kind: str, value: int, price_cents: int) -> int:
    if kind == "percent":
        return price_cents * value // 100  # rounds the discount down, never the price
    return value


def claim(conn, coupon_id: int) -> bool:
    """Take one use inside the order's transaction; False if none is left."""
    return conn.execute(_CLAIM, {"id": coupon_id, "yes": True}).rowcount == 1


def release(conn, coupon_id: int) -> None:
    """Give the use back (an order closed unpaid), inside its transaction."""
    conn.execute(_RELEASE, {"id": coupon_id})


def create_coupon(code: str, kind: str, value: int, *, packages: list[str] | None = None,
                  valid_from: datetime | None = None, valid_until: datetime | None = None,
                  max_uses: int | None = None) -> Coupon:
    code = normalize(code)
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValueError("a code is 1-40 letters, digits, '-' or '_'")
    if kind not in ("percent", "fixed"):
        raise ValueError("kind must be percent or fixed")
    if kind == "percent" and not 1 <= value <= 99:
        raise ValueError("a percent coupon takes 1-99 percent off")
    if kind == "fixed" and value <= 0:
        raise ValueError("a fixed coupon takes a positive number of cents off")
    if max_uses is not None and max_uses < 1:
        raise ValueError("max uses must be at least 1")
    if db.session.scalar(select(Coupon.id).where(Coupon.code == code)) is not None:
        raise ValueError(f"coupon {code} exists")
    coupon = Coupon(code=code, kind=kind, value=value, package_codes=sorted(set(packages)) if packages else None,
                    valid_from=valid_from, valid_until=valid_until, max_uses=max_uses, used=0, active=True)
    db.session.add(coupon)
    db.session.commit()
    return coupon


def set_active(code: str, active: bool) -> Coupon:
    """Stop (or resume) a coupon: orders already holding it keep their price."""
    coupon = db.session.scalar(select(Coupon).where(Coupon.code == normalize(code)))
    if coupon is None:
        raise ValueError(f"no coupon {normalize(code)}")
    coupon.active = active
    db.session.commit()
    return coupon


def list_coupons() -> list[Coupon]:
    return list(db.session.scalars(select(Coupon).order_by(Coupon.id.desc())))

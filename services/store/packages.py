"""Packages for sale: first-purchase plans and top-up packages."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import Package
from models.commerce import PURCHASE, TOPUP

KINDS = (PURCHASE, TOPUP)


def list_packages(kind: str | None = None, *, active_only: bool = True) -> list[Package]:
    stmt = select(Package).order_by(Package.kind, Package.sort_order, Package.price_cents)
    if kind:
        stmt = stmt.where(Package.kind == kind)
    if active_only:
        stmt = stmt.where(Package.active.is_(True))
    return list(db.session.scalars(stmt))


def get_package(code: str, kind: str) -> Package | None:
    """An active package of this kind, or None."""
    package = db.session.scalar(select(Package).where(Package.code == (code or "").strip()))
    if package is None or package.kind != kind or not package.active:
        return None
    return package


def package_view(package: Package) -> dict:
    """The helper API's shape (the customer's documents)."""
    return {
        "id": f"pkg_{package.id}", "code": package.code, "kind": package.kind, "name": package.name,
        "nameZh": package.name_zh, "currency": package.currency, "priceCents": package.price_cents,
        "baseQuotaAmount": package.base_credits, "bonusQuotaAmount": package.bonus_credits,
        "quotaAmount": package.credits,
    }


def set_package(code: str, *, kind: str | None = None, name: str | None = None, name_zh: str | None = None,
                price_cents: int | None = None, base_credits: int | None = None,
                bonus_credits: int | None = None, active: bool | None = None,
                sort_order: int | None = None) -> tuple[Package, bool]:
    """Create or edit a package; None leaves a field as it is. (created?)"""
    package = db.session.scalar(select(Package).where(Package.code == code))
    created = package is None
    if created:
        if kind not in KINDS or not name or not price_cents or base_credits is None:
            raise ValueError("a new package needs --kind (purchase|topup), --name, --price-cents, --base-credits")
        package = Package(code=code, kind=kind, name=name, name_zh=name_zh or "", price_cents=price_cents,
                          base_credits=base_credits, bonus_credits=bonus_credits or 0,
                          active=True if active is None else active, sort_order=sort_order or 0)
        db.session.add(package)
    else:
        if kind is not None and kind not in KINDS:
            raise ValueError("kind must be purchase or topup")
        for field, value in (("kind", kind), ("name", name), ("name_zh", name_zh),
                             ("price_cents", price_cents), ("base_credits", base_credits),
                             ("bonus_credits", bonus_credits), ("active", active), ("sort_order", sort_order)):
            if value is not None:
                setattr(package, field, value)
    if package.price_cents <= 0 or package.base_credits < 0 or package.bonus_credits < 0:
        db.session.rollback()
        raise ValueError("the price must be positive and credits not negative")
    db.session.commit()
    return package, created

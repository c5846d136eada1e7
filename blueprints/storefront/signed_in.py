"""Buying and topping up while signed in: the orders are bound to the
customer's own account (services/store/orders/account_orders.py), so no key is
pasted and a first purchase does not make a guest account."""
from __future__ import annotations

from flask_login import current_user

from models.commerce import TOPUP
from services.identity import claims, users
from services.store.packages import list_packages


def signed_in() -> bool:
    return bool(current_user.is_authenticated)


def my_account() -> int:
    """The signed-in user's account, made now if the user has none yet
    (operators created with `flask admin create`)."""
    return claims.ensure_account(current_user.id)


def account_topup(**chosen) -> dict:
    """What topup.html needs for its "top up my account" form (nothing for
    visitors who are not signed in)."""
    if not signed_in():
        return {}
    return {"account_packages": list_packages(TOPUP), "account_email": current_user.email,
            "account_chosen": chosen.get("package"), "account_coupon": chosen.get("coupon")}

"""Orders placed by a signed-in customer, bound to the customer's account
from the start: a top-up of the account itself (no key pasted, no key on
the order) and a first purchase whose credits and new key land in that
account instead of a new guest account (fulfil.py reads the account_id the
order already carries). Prices, coupons and order numbers are create.py's."""
from __future__ import annotations

from extensions import db
from models import Account, Order
from models.commerce import PURCHASE, TOPUP
from services.store.orders.create import _create, normalize_email
from services.store.orders.errors import StoreError
from services.store.packages import get_package


def _active_account(account_id: int | None) -> int:
    account = db.session.get(Account, account_id) if account_id is not None else None
    if account is None or account.status != "active":
        raise StoreError("account_unavailable", "This account cannot take orders now.", 403)
    return account.id


def create_account_topup(account_id: int | None, package_code: str | None, email: str, *,
                         coupon_code: str | None = None, source_page: str | None = None) -> Order:
    """A top-up of the whole account: key_id stays empty, the credits go to
    the account's balance, which all its keys draw on."""
    account_id = _active_account(account_id)
    email = normalize_email(email)
    package = get_package(package_code, TOPUP)
    if package is None:
        raise StoreError("package_unknown", "No such top-up package.")
    return _create(TOPUP, package, email, coupon_code, account_id=account_id, source_page=source_page)


def create_account_purchase(account_id: int | None, plan_code: str, email: str, *,
                            coupon_code: str | None = None, source_page: str | None = None) -> Order:
    """A plan bought while signed in: on payment its new key is made in
    this account and the credits are booked there."""
    account_id = _active_account(account_id)
    email = normalize_email(email)
    package = get_package(plan_code, PURCHASE)
    if package is None:
        raise StoreError("package_unknown", "No such plan.")
    return _create(PURCHASE, package, email, coupon_code, account_id=account_id, source_page=source_page)

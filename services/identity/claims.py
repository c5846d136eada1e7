"""Registering, with an order or without, and claiming a guest purchase:
who owns which account. Credentials and sessions are services.identity.users.
"""
from __future__ import annotations

import hmac

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from extensions import db
from i18n import N_
from models import ApiKey, LedgerEntry, Order, User
from models.commerce import ORDER_PAID, PURCHASE
from services import mailer
from services.billing import accounts
from services.identity.users import UserError, _new_credentials, normalize_email

# Registration and claiming a guest purchase -----------------------------------
#
# A guest who bought a plan got an account and a key of their own (found by the
# order number plus the contact email). Registering with that email and order
# number makes the new user the owner of that account instead of a fresh one.
# An already registered user whose email is the order's contact email may
# claim from the dashboard while their own account is still empty (no keys,
# no orders, nothing booked but the trial grant): the user is then moved to
# the guest account, and the empty one is left unused. Wallets are never
# merged: that would move credits and keys between accounts behind the
# ledger's back. The claimant's own email must match because emails are
# unique: at most one user can ever claim an order, and a claim mails a
# notice to that address, so a stranger who registered it is noticed.

REGISTER_REFUSED = ("register_refused",
                    N_("This email cannot be registered. If you already have an account, sign in instead."))
CLAIM_FAILED = ("claim_failed", N_("No paid purchase matches this order number and email."))
ACCOUNT_NOT_EMPTY = ("account_not_empty",
                     N_("Your account already has keys, orders or credits, so a purchase cannot be attached to it."))


def trial_key(account_id: int) -> str:
    return f"trial:{account_id}"


def _claimable_order(order_no: str | None, email: str | None):
    """The paid, delivered first purchase with this number and contact email
    whose account nobody has claimed yet, or None (never saying which part
    did not match)."""
    order_no = (order_no or "").strip().upper()
    email = normalize_email(email)
    if not order_no or not email or len(order_no) > 32:
        return None
    # Fresh from the database (fulfilment writes orders outside this
    # session), and locked until the caller commits: a second claim of the
    # same order waits, then sees the first owner (PostgreSQL; SQLite has one
    # writer at a time anyway).
    order = db.session.scalar(select(Order).where(Order.order_no == order_no).with_for_update()
                              .execution_options(populate_existing=True))
    if order is None or order.kind != PURCHASE or order.status != ORDER_PAID or order.account_id is None \
            or not hmac.compare_digest(order.contact_email.encode(), email.encode()):
        return None
    return order


def _attach(user_id: int, account_id: int) -> bool:
    """Point the user at the account unless another user already owns it (a
    conditional UPDATE, so two claims of one order cannot both win)."""
    other = aliased(User)
    owners = select(other.id).where(other.account_id == account_id, other.id != user_id).exists()
    # Not already there either: of several parallel claims by one user,
    # exactly one moves it (and mails the notice).
    moved = or_(User.account_id.is_(None), User.account_id != account_id)
    done = db.session.execute(update(User).where(User.id == user_id, moved, ~owners)
                              .values(account_id=account_id).execution_options(synchronize_session=False))
    return done.rowcount == 1


def register(email: str, password: str, *, order_no: str | None = None, trial_credits: int = 0) -> User:
    """A new user with an account of their own: the guest account of the
    purchase `order_no` (bought with this email), or a fresh one that gets
    `trial_credits` through the ledger (once per account). Raises UserError:
    invalid_email, weak_password, register_refused (email taken),
    claim_failed (no such paid purchase for this email)."""
    # Hashing is slow: done here, before any row is locked.
    email, password_hash = _new_credentials(email, password, REGISTER_REFUSED)
    order = None
    if (order_no or "").strip():
        order = _claimable_order(order_no, email)
        if order is None:
            db.session.rollback()
            raise UserError(*CLAIM_FAILED)
    user = User(email=email, password_hash=password_hash, session_version=1)
    try:
        db.session.add(user)
        db.session.flush()
        if order is not None:
            if not _attach(user.id, order.account_id):
                db.session.rollback()
                raise UserError(*CLAIM_FAILED)
            _claim_notice(order.order_no, email)
        db.session.commit()
    except IntegrityError:  # the same email registered a moment ago
        db.session.rollback()
        raise UserError(*REGISTER_REFUSED) from None
    if order is None:
        account_id = ensure_account(user.id)
        if trial_credits > 0:
            accounts.grant(account_id, trial_credits, kind="bonus", note="trial credits",
                           idempotency_key=trial_key(account_id))
    return db.session.get(User, user.id, populate_existing=True)


def account_is_empty(account_id: int | None) -> bool:
    """No keys, no orders, nothing in the ledger but the trial grant."""
    if account_id is None:
        return True
    if db.session.scalar(select(ApiKey.id).where(ApiKey.account_id == account_id).limit(1)) is not None:
        return False
    if db.session.scalar(select(Order.id).where(Order.account_id == account_id).limit(1)) is not None:
        return False
    other = select(LedgerEntry.id).where(LedgerEntry.account_id == account_id,
                                         LedgerEntry.idempotency_key != trial_key(account_id)).limit(1)
    return db.session.scalar(other) is None


def _claim_notice(order_no: str, email: str) -> None:
    """Queued in the claim's transaction: the buyer hears of every claim."""
    body = (f"The Tollgate purchase {order_no}, its key and its credits are now in the account "
            f"registered with {email}.\n\nIf you did not do this, contact the operator of this site "
            f"and quote the order number.")
    mailer.queue(db.session.connection(), email, f"Purchase {order_no} added to your account", body,
                 ref=order_no)


def claim_guest_purchase(user_id: int, order_no: str | None) -> int:
    """Move a registered user whose account is still empty onto the account
    of a guest purchase bought with the user's own email. Returns the account
    id. Raises UserError account_not_empty (checked first, so it tells
    nothing about the order) or claim_failed."""
    user = db.session.get(User, user_id)
    if user is None:
        raise UserError(*CLAIM_FAILED)
    if not account_is_empty(user.account_id):
        mine = _claimable_order(order_no, user.email)
        db.session.rollback()  # releases the order row lock
        if mine is not None and mine.account_id == user.account_id:
            return user.account_id  # claimed already (a second tab, a double click)
        raise UserError(*ACCOUNT_NOT_EMPTY)
    order = _claimable_order(order_no, user.email)
    if order is None:
        db.session.rollback()
        raise UserError(*CLAIM_FAILED)
    if not _attach(user.id, order.account_id):
        db.session.rollback()
        if db.session.get(User, user_id, populate_existing=True).account_id == order.account_id:
            return order.account_id  # a parallel claim of the same user won
        raise UserError(*CLAIM_FAILED)
    _claim_notice(order.order_no, user.email)
    db.session.commit()
    return order.account_id


def ensure_account(user_id: int) -> int:
    """The user's account id, creating an empty account for a user that has
    none (operators made with `flask admin create`)."""
    user = db.session.get(User, user_id)
    if user.account_id is None:
        account = accounts.create_account(user.email, user.email)
        user = db.session.get(User, user_id)
        user.account_id = account.id
        db.session.commit()
    return user.account_id

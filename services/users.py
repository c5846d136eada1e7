"""People who sign in: registration, passwords, server-side session ends.

Passwords are hashed with scrypt (werkzeug's default, deliberately slow).
A user's `session_version` is copied into the session cookie at sign-in;
bumping it (sign-out, password change) ends every older session at once,
on every worker, because the loader compares the two on each request.
"""
from __future__ import annotations

import hmac

from sqlalchemy import func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models import User
from models.base import utcnow
from i18n import N_

MIN_PASSWORD = 8
MAX_PASSWORD = 256
# Checked when an email is unknown, so a miss costs as much as a hit and the
# timing does not tell whether an account exists.
_DUMMY_HASH = generate_password_hash("tollgate-no-such-user")


class UserError(ValueError):
    """A refusal the user can act on; `code` is stable, the message is English."""

    def __init__(self, code: str, message: str, **values):
        super().__init__(message % values if values else message)
        self.code = code
        self.template = message  # translated where shown: gettext(template, **values)
        self.values = values


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


# Passwords long enough for the length rule that guessers still try first.
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "password",
    "password1", "password123", "passw0rd", "qwertyui", "qwerty123", "iloveyou", "admin123",
    "administrator", "changeme", "letmein1", "welcome1", "abcd1234", "1q2w3e4r", "88888888",
    "66666666", "a1234567", "aa123456", "tollgate", "tollgate123",
})


def check_password_rules(password: str | None) -> str:
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise UserError("weak_password", N_("Use at least %(n)s characters."), n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise UserError("weak_password", N_("Use at most %(n)s characters."), n=MAX_PASSWORD)
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        raise UserError("weak_password", N_("This password is too easy to guess; choose another."))
    return password


def valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and len(email) <= 255 and " " not in email


def find_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalize_email(email))).scalar_one_or_none()


EMAIL_TAKEN = ("email_taken", N_("An account with this email already exists."))


def _new_credentials(email: str, password: str, taken: tuple[str, str]) -> tuple[str, str]:
    """The normalized email and the password's hash for a new user; UserError
    for a bad email, a weak password or (`taken`) an email in use."""
    email = normalize_email(email)
    if not valid_email(email):
        raise UserError("invalid_email", N_("Enter a valid email address."))
    check_password_rules(password)
    if find_by_email(email) is not None:
        raise UserError(*taken)
    return email, generate_password_hash(password)


def create_user(email: str, password: str, *, is_admin: bool = False, account_id: int | None = None) -> User:
    """A new user with a hashed password. Raises UserError for a bad email,
    a weak password or an email already taken."""
    email, password_hash = _new_credentials(email, password, EMAIL_TAKEN)
    user = User(email=email, password_hash=password_hash, is_admin=is_admin,
                account_id=account_id, session_version=1)
    db.session.add(user)
    db.session.commit()
    return user


def check_credentials(email: str, password: str) -> User | None:
    """The user whose email and password these are, or None; takes about as
    long either way."""
    user = find_by_email(email) if email else None
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def session_matches(user: User, version) -> bool:
    return isinstance(version, int) and hmac.compare_digest(str(user.session_version), str(version))


def end_sessions(user_id: int) -> int:
    """Invalidate every session of this user; returns the new version."""
    db.session.execute(update(User).where(User.id == user_id)
                       .values(session_version=User.session_version + 1))
    db.session.commit()
    return db.session.get(User, user_id, populate_existing=True).session_version


def change_password(user_id: int, current: str, new: str) -> User:
    user = db.session.get(User, user_id)
    if user is None or not check_password_hash(user.password_hash or _DUMMY_HASH, current or ""):
        raise UserError("wrong_password", N_("The current password is not right."))
    check_password_rules(new)
    user.password_hash = generate_password_hash(new)
    user.session_version = User.session_version + 1
    db.session.commit()
    return db.session.get(User, user_id, populate_existing=True)


def set_password(user_id: int, password: str) -> None:
    """For the operator (`flask admin create` on an existing user)."""
    check_password_rules(password)
    user = db.session.get(User, user_id)
    user.password_hash = generate_password_hash(password)
    user.session_version = User.session_version + 1
    db.session.commit()


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
    from models import Order
    from models.commerce import ORDER_PAID, PURCHASE

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
    from sqlalchemy.orm import aliased

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
    from sqlalchemy.exc import IntegrityError

    from services import accounts

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
    from models import ApiKey, LedgerEntry, Order

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
    from services import mailer

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
    from services import accounts

    user = db.session.get(User, user_id)
    if user.account_id is None:
        account = accounts.create_account(user.email, user.email)
        user = db.session.get(User, user_id)
        user.account_id = account.id
        db.session.commit()
    return user.account_id

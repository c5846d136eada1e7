"""People who sign in: credentials, passwords, server-side session ends.

Passwords are hashed with scrypt (werkzeug's default, deliberately slow).
A user's `session_version` is copied into the session cookie at sign-in;
bumping it (sign-out, password change) ends every older session at once,
on every worker, because the loader compares the two on each request.
Registering a new user (with an order or not) and claiming a guest purchase
are services.identity.claims.
"""
from __future__ import annotations

import hmac

from sqlalchemy import func, select, update
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

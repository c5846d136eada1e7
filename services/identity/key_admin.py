"""API keys as their owner manages them from the dashboard and the token API:
list, create with caps, rename, change caps, disable (shown as revoked) and
delete. Every call names the owning account, so one customer can never touch
another's key: a key of another account, or a deleted one, is simply None.

Delete is soft: the row stays (orders and request logs point at it) with
status "deleted", hidden from every list; /v1 refuses it like a disabled
key because only "active" keys authenticate and reserve.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from extensions import db
from models import ApiKey, LlmModel
from models.api_key import KEY_ACTIVE, KEY_DISABLED
from services.identity import keys
from i18n import N_

KEY_DELETED = "deleted"
MAX_NAME = 120
MAX_MODELS = 50
MAX_KEYS = 100  # live (not deleted) keys per account
MAX_CREDITS = 10**15   # far above any sale, far below BIGINT
MAX_RPM = 1_000_000    # the column is a 32-bit INTEGER
MAX_ID = 2**31 - 1


class KeyError_(ValueError):
    """A refusal the owner can act on; `code` is stable, the message English.
    `template` and `values` let a page translate a message with values."""

    def __init__(self, code: str, message: str, **values):
        super().__init__(message % values if values else message)
        self.code = code
        self.template = message
        self.values = values


@dataclass(frozen=True)
class Caps:
    """A key's own limits; None means none of its own."""

    spend_cap: int | None = None
    expires_at: datetime | None = None
    allowed_models: list[str] | None = None
    rpm: int | None = None


def clean_name(name) -> str:
    name = (name if isinstance(name, str) else "").strip()
    if not name:
        raise KeyError_("name_required", N_("Give the key a name."))
    if len(name) > MAX_NAME:
        raise KeyError_("name_too_long", N_("Use at most %(n)s characters for the name."), n=MAX_NAME)
    return name


def _whole(value, code: str, message: str, minimum: int, maximum: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise KeyError_(code, message)
    try:
        number = int(value.strip().replace(",", "").replace("_", "")) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise KeyError_(code, message) from None
    if number != value and not isinstance(value, str) or number < minimum or number > maximum:
        raise KeyError_(code, message)
    return number


def parse_expiry(value) -> datetime | None:
    """A date (YYYY-MM-DD, the key works through that day, UTC) or an ISO
    date-time; blank for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise KeyError_("invalid_expiry", N_("Give the expiry date as YYYY-MM-DD."))
    text = value.strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time())
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = (moment - moment.utcoffset()).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: 9999-12-31 plus a day
        raise KeyError_("invalid_expiry", N_("Give the expiry date as YYYY-MM-DD.")) from None
    return moment


def parse_models(value) -> list[str] | None:
    """A list, or text separated by commas, spaces or new lines; every name
    must be a model of the registry. Empty: all models."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [n for n in value.replace(",", " ").split() if n]
    elif isinstance(value, list) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value if n.strip()]
    else:
        raise KeyError_("invalid_models", N_("List model names separated by commas."))
    if not names:
        return None
    names = sorted(set(names))
    if len(names) > MAX_MODELS:
        raise KeyError_("invalid_models", N_("Allow at most %(n)s models."), n=MAX_MODELS)
    # Only models a customer can see: hidden or disabled ones answer as unknown,
    # so the allow-list cannot be used to probe the registry.
    known = set(db.session.scalars(select(LlmModel.id).where(
        LlmModel.id.in_(names), LlmModel.enabled.is_(True), LlmModel.public.is_(True))))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError_("unknown_model", N_("Unknown model: %(names)s"), names=", ".join(unknown[:5])[:200])
    return names


def parse_caps(*, spend_cap=None, expires_at=None, allowed_models=None, rpm=None) -> Caps:
    return Caps(
        spend_cap=_whole(spend_cap, "invalid_spend_cap", N_("The spend cap must be a whole number of credits."), 0,
                         MAX_CREDITS),
        expires_at=parse_expiry(expires_at),
        allowed_models=parse_models(allowed_models),
        rpm=_whole(rpm, "invalid_rpm", N_("Requests per minute must be a whole number from 1 to 1,000,000."), 1, MAX_RPM),
    )


def list_keys(account_id: int | None) -> list[ApiKey]:
    if account_id is None:
        return []
    return list(db.session.scalars(select(ApiKey).where(ApiKey.account_id == account_id,
                                                        ApiKey.status != KEY_DELETED)
                                   .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))


def get_key(account_id: int | None, key_id) -> ApiKey | None:
    """The account's own key that is not deleted, else None."""
    try:
        key_id = int(key_id)
    except (TypeError, ValueError):
        return None
    if not 0 < key_id <= MAX_ID:  # larger ids overflow the column (a 500 on PostgreSQL)
        return None
    key = db.session.get(ApiKey, key_id) if account_id is not None else None
    if key is None or key.account_id != account_id or key.status == KEY_DELETED:
        return None
    return key


def create(account_id: int, name, caps: Caps | None = None) -> tuple[ApiKey, str]:
    """A new key and its plaintext (shown once, never stored)."""
    name = clean_name(name)
    caps = caps or Caps()
    live = db.session.scalar(select(db.func.count(ApiKey.id)).where(ApiKey.account_id == account_id,
                                                                   ApiKey.status != KEY_DELETED))
    if live >= MAX_KEYS:
        raise KeyError_("too_many_keys", N_("An account can hold at most %(n)s keys; delete one first."), n=MAX_KEYS)
    return keys.create_key(account_id, name, spend_cap=caps.spend_cap, expires_at=caps.expires_at,
                           allowed_models=caps.allowed_models, rpm=caps.rpm)


def rename(account_id: int, key_id, name) -> ApiKey | None:
    key = get_key(account_id, key_id)
    if key is not None:
        key.name = clean_name(name)
        db.session.commit()
    return key


def set_caps(account_id: int, key_id, caps: Caps) -> ApiKey | None:
    key = get_key(account_id, key_id)
    if key is None:
        return None
    key.spend_cap, key.expires_at, key.rpm = caps.spend_cap, caps.expires_at, caps.rpm
    key.allowed_models = caps.allowed_models
    db.session.commit()
    keys.forget(key)  # so this worker's /v1 sees the caps at once
    return key


def disable(account_id: int, key_id) -> ApiKey | None:
    """Revoke: /v1 refuses the key from now on. There is no way back for the
    owner (an operator may have disabled it for a reason)."""
    key = get_key(account_id, key_id)
    if key is None:
        return None
    if key.status != KEY_DISABLED:
        keys.set_status(key.id, KEY_DISABLED)
    return key


def delete(account_id: int, key_id) -> bool:
    key = get_key(account_id, key_id)
    if key is None:
        return False
    keys.set_status(key.id, KEY_DELETED)
    return True


def shown_status(key: ApiKey) -> str:
    """ACTIVE or REVOKED, as the customer's documents name them."""
    return "ACTIVE" if key.status == KEY_ACTIVE else "REVOKED"

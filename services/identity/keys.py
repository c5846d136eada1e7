"""API keys: issue (the plaintext leaves once), authenticate, disable.

Keys are `sk-` plus 43 URL-safe characters (256 random bits). The database
holds HMAC-SHA256(pepper, key) and a visible prefix and last four, so a
leaked table cannot be replayed and lookups are a parameterised index hit.
"""
from __future__ import annotations

import hmac
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import KEY_ACTIVE, KEY_DISABLED, Account, ApiKey
from models.base import utcnow
from services.cache import TTLCache
from services.crypto import key_pepper

KEY_PATTERN = re.compile(r"^sk-[A-Za-z0-9_\-]{16,128}$")
_CACHE = "tollgate.key_cache"


@dataclass(frozen=True)
class KeyContext:
    """What the request path needs to know about a key, detached from any
    database session."""

    id: int
    account_id: int
    name: str
    digest: str
    allowed_models: frozenset | None
    rpm: int | None
    rpd: int | None
    spend_cap: int | None
    expires_at: datetime | None
    account_active: bool
    tpm: int | None = None
    max_concurrency: int | None = None
    sticky_routing: bool = False
    prefix: str | None = None  # the visible start of the key (sk-xxxx), safe to log

    def may_use(self, model_id: str) -> bool:
        return self.allowed_models is None or model_id in self.allowed_models


def generate_key() -> str:
    return "sk-" + secrets.token_urlsafe(32)


def key_digest(raw: str) -> str:
    pepper = key_pepper(current_app.config["SECRET_KEY"])
    return hmac.new(pepper, raw.encode("utf-8"), hashlib.sha256).hexdigest()


def create_key(account_id: int, name: str, *, spend_cap: int | None = None,
               expires_at: datetime | None = None, allowed_models: list[str] | None = None,
               rpm: int | None = None, rpd: int | None = None, tpm: int | None = None,
               max_concurrency: int | None = None, sticky_routing: bool = False) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored."""
    raw = generate_key()
    key = ApiKey(
        account_id=account_id, name=name.strip()[:120], digest=key_digest(raw),
        prefix=raw[:7], last4=raw[-4:], status=KEY_ACTIVE, spend_cap=spend_cap,
        expires_at=expires_at, allowed_models=sorted(set(allowed_models)) if allowed_models else None,
        rpm=rpm, rpd=rpd, tpm=tpm, max_concurrency=max_concurrency, sticky_routing=sticky_routing,
    )
    db.session.add(key)
    db.session.commit()
    return key, raw


def _cache() -> TTLCache:
    ext = current_app.extensions
    if _CACHE not in ext:
        ext[_CACHE] = TTLCache(current_app.config["KEY_CACHE_TTL"])
    return ext[_CACHE]


def load_context(digest: str) -> KeyContext | None:
    """The key behind `digest`, its account and caps, from the database
    (authenticate caches it; the playground loads its owner's key by it)."""
    stmt = (
        select(ApiKey.id, ApiKey.account_id, ApiKey.name, ApiKey.digest, ApiKey.status,
               ApiKey.allowed_models, ApiKey.rpm, ApiKey.rpd, ApiKey.spend_cap,
               ApiKey.expires_at, Account.status, ApiKey.tpm, ApiKey.max_concurrency,
               ApiKey.sticky_routing, ApiKey.prefix)
        .join(Account, Account.id == ApiKey.account_id)
        .where(ApiKey.digest == digest)
    )
    with db.engine.connect() as conn:
        row = conn.execute(stmt).first()
    # The equality above ran inside the database; compare again in constant
    # time so timing never depends on how much of a digest matched.
    if row is None or not hmac.compare_digest(row[3], digest) or row[4] != KEY_ACTIVE:
        return None
    allowed = frozenset(row[5]) if row[5] else None
    return KeyContext(id=row[0], account_id=row[1], name=row[2], digest=row[3],
                      allowed_models=allowed, rpm=row[6], rpd=row[7], spend_cap=row[8],
                      expires_at=row[9], account_active=row[10] == "active", tpm=row[11],
                      max_concurrency=row[12], sticky_routing=bool(row[13]), prefix=row[14])


def authenticate(raw: str | None) -> KeyContext | None:
    """The key's context, or None for anything unknown, malformed, disabled or
    expired: callers answer all of those with the same 401."""
    if not raw or not KEY_PATTERN.match(raw):
        return None
    digest = key_digest(raw)
    ctx = _cache().get(digest, lambda: load_context(digest))
    if ctx is None:
        return None
    if ctx.expires_at is not None and ctx.expires_at <= utcnow():
        return None
    return ctx


def forget(key: ApiKey) -> None:
    """Drop this worker's cached lookup of the key after a change to it."""
    _cache().invalidate(key.digest)


def set_status(key_id: int, status: str) -> ApiKey | None:
    key = db.session.get(ApiKey, key_id)
    if key is None:
        return None
    key.status = status
    db.session.commit()
    forget(key)
    return key


def disable_key(key_id: int) -> ApiKey | None:
    return set_status(key_id, KEY_DISABLED)

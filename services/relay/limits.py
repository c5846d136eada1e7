"""Per-key limits checked before a call: requests in flight and tokens per
minute (request rates are flask-limiter's, at the edge)."""
from __future__ import annotations

from flask import current_app

from services.billing.pricing import Usage
from services.identity.keys import KeyContext
from services.relay.errors import RelayError
from services.relay.shared_state import quotas


def take_slot(key: KeyContext) -> bool:
    """Count the call as in flight; 429 past the key's concurrency limit.
    Returns whether a slot is held (to give back with release_slot)."""
    limit = key.max_concurrency or current_app.config["DEFAULT_KEY_CONCURRENCY"]
    if limit <= 0:
        return False
    if not quotas().acquire(key.id, limit):
        raise RelayError(429, "rate_limited", f"This key already has {limit} requests in flight; "
                         "retry when one finishes.", retry_after=1)
    return True


def release_slot(key: KeyContext, held: bool) -> None:
    if held:
        quotas().release(key.id)


def _tpm(key: KeyContext) -> int:
    return key.tpm or current_app.config["DEFAULT_KEY_TPM"]


def check_tokens(key: KeyContext) -> None:
    """429 once the key has used its tokens for this minute."""
    limit = _tpm(key)
    if limit > 0 and quotas().tokens_this_minute(key.id) >= limit:
        raise RelayError(429, "rate_limited", f"This key has used its {limit} tokens for this minute; "
                         "retry in the next minute.", retry_after=60)


def record_tokens(key: KeyContext, usage: Usage | None) -> None:
    if usage is not None and _tpm(key) > 0:
        quotas().add_tokens(key.id, usage.total_tokens)

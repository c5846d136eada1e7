"""The dashboard's playground: a signed-in owner chats through one of their
own keys. The browser never holds the key (only its hash and prefix are
stored), so the server loads the key's context by id, for its owner only,
and the call then takes the same path as a /v1 call made with that key:
rate limit, hold, settle, request log (blueprints/dashboard/playground.py)."""
from __future__ import annotations

from dataclasses import dataclass

from models import KEY_ACTIVE, ApiKey
from models.base import utcnow
from services.identity import key_admin
from services.catalog.snapshot import visible_models
from services.identity.keys import KeyContext, load_context

ROLES = ("system", "user", "assistant")


def owned_key_context(account_id: int | None, key_id) -> KeyContext | None:
    """The context /v1 would build for this key, if it belongs to the
    account and is usable (active, not deleted, not expired); else None
    (the caller answers 404 for all of those alike)."""
    if isinstance(key_id, bool):
        return None
    key = key_admin.get_key(account_id, key_id)
    if key is None or key.status != KEY_ACTIVE:
        return None
    # The same loader authenticate() uses, so the context is exactly the
    # one a /v1 request presenting this key would get.
    ctx = load_context(key.digest)
    if ctx is None or ctx.account_id != account_id:
        return None
    if ctx.expires_at is not None and ctx.expires_at <= utcnow():
        return None
    return ctx


@dataclass(frozen=True)
class PlaygroundKey:
    key: ApiKey
    models: list[str]  # the model ids /v1/models lists for this key


def usable_keys(account_id: int | None) -> list[PlaygroundKey]:
    """The account's usable keys, each with the models it may call."""
    found = []
    for key in key_admin.list_keys(account_id):
        ctx = owned_key_context(account_id, key.id)
        if ctx is not None:
            found.append(PlaygroundKey(key, sorted(m.id for m in visible_models(ctx))))
    return found


def clean_messages(value) -> list[dict] | None:
    """A chat history from the page: a non-empty list of {role, content}
    with a known role and text content; None for anything else."""
    if not isinstance(value, list) or not value:
        return None
    messages = []
    for message in value:
        if not isinstance(message, dict):
            return None
        role, content = message.get("role"), message.get("content")
        if role not in ROLES or not isinstance(content, str) or not content.strip():
            return None
        messages.append({"role": role, "content": content})
    return messages

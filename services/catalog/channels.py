"""Managing upstream channels (used by the CLI and the admin)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import update

from extensions import db
from models import Channel
from models.base import utcnow
from services.catalog.dialects import PROVIDERS, SpeaksError, check_speaks, stored_speaks
from services.catalog.snapshot import invalidate_catalog, upstream_policy
from services.crypto import encrypt_secret
from services.ssrf import UpstreamBlocked, check_url


class ChannelError(ValueError):
    pass


def _check(provider: str, base_url: str) -> None:
    if provider not in PROVIDERS:
        raise ChannelError(f"unknown provider {provider!r}; choose one of {', '.join(sorted(PROVIDERS))}")
    if provider != "demo":
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChannelError("the base URL must be an http(s) URL such as https://api.deepseek.com/v1")
        try:
            check_url(base_url, upstream_policy())
        except UpstreamBlocked as exc:
            raise ChannelError(str(exc)) from None


def _speaks(provider: str, speaks) -> str | None:
    """The `speaks` column's value: a comma-separated string or list of
    dialect names the provider kind can send; None or empty: the default."""
    try:
        return stored_speaks(check_speaks(provider, speaks))
    except SpeaksError as exc:
        raise ChannelError(str(exc)) from None


def _validated(name: str, provider: str, base_url: str, models: list[str],
               editing: int | None = None) -> tuple[str, list[str]]:
    """The cleaned name and model list of a channel being added (or, with
    `editing`, that channel being changed); ChannelError when invalid."""
    name = name.strip()
    if not name:
        raise ChannelError("a channel needs a name")
    clash = Channel.query.filter(Channel.name == name)
    if editing is not None:
        clash = clash.filter(Channel.id != editing)
    if clash.first() is not None:
        raise ChannelError(f"a channel named {name!r} exists already")
    _check(provider, base_url)
    models = [m.strip() for m in models if m.strip()]
    if not models:
        raise ChannelError("a channel must serve at least one model")
    return name, models


def add_channel(name: str, provider: str, base_url: str, api_key: str | None, models: list[str],
                model_map: dict[str, str] | None = None, priority: int = 0, weight: int = 1,
                timeouts: tuple = (None, None, None), speaks: str | list[str] | tuple | None = None) -> Channel:
    """Add a channel. `timeouts` is (connect, first byte, idle) in seconds,
    None for the configured defaults. `speaks`: the dialects its upstream
    speaks ("openai.chat,openai.responses" or a list; services.catalog.dialects),
    None for the provider kind's default."""
    name, models = _validated(name, provider, base_url, models)
    speaks = _speaks(provider, speaks)
    channel = Channel(
        name=name, provider=provider, base_url=base_url.rstrip("/"), models=models,
        model_map=dict(model_map or {}), priority=priority, weight=max(weight, 0),
        connect_timeout=timeouts[0], first_byte_timeout=timeouts[1], idle_timeout=timeouts[2],
        speaks=speaks,
        api_key_encrypted=encrypt_secret(current_app.config["SECRET_KEY"], api_key) if api_key else None,
    )
    db.session.add(channel)
    db.session.commit()
    invalidate_catalog()
    return channel


def set_enabled(name: str, enabled: bool) -> Channel:
    channel = Channel.query.filter_by(name=name).first()
    if channel is None:
        raise ChannelError(f"no channel named {name!r}")
    channel.enabled = enabled
    if enabled:
        channel.disabled_reason = None
    db.session.commit()
    invalidate_catalog()
    return channel


def disable_channel(channel_id: int, reason: str) -> None:
    """Take a channel out of service with the reason shown to the operator
    (an upstream 401: its key is bad); `channel enable` brings it back."""
    with db.engine.begin() as conn:
        conn.execute(update(Channel).where(Channel.id == channel_id)
                     .values(enabled=False, disabled_reason=reason[:255], updated_at=utcnow()))
    invalidate_catalog()


def update_channel(channel_id: int, *, name: str, provider: str, base_url: str, api_key: str | None,
                   models: list[str], model_map: dict[str, str] | None = None, priority: int = 0,
                   weight: int = 1, timeouts: tuple = (None, None, None),
                   speaks: str | list[str] | tuple | None = None) -> Channel:
    """Edit a channel. `api_key` None (or empty) keeps the stored secret: the
    admin never shows it back, so a blank field means "unchanged". `speaks`
    None (or empty) is the provider kind's default, as in add_channel."""
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise ChannelError(f"no channel {channel_id}")
    name, models = _validated(name, provider, base_url, models, editing=channel_id)
    channel.speaks = _speaks(provider, speaks)
    channel.name, channel.provider, channel.base_url = name, provider, base_url.rstrip("/")
    channel.models, channel.model_map = models, dict(model_map or {})
    channel.priority, channel.weight = priority, max(weight, 0)
    channel.connect_timeout, channel.first_byte_timeout, channel.idle_timeout = timeouts
    if api_key:
        channel.api_key_encrypted = encrypt_secret(current_app.config["SECRET_KEY"], api_key)
    db.session.commit()
    invalidate_catalog()
    return channel

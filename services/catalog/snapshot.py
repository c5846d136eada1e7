"""The model registry and the channels serving it, as an immutable snapshot
each worker reloads every CATALOG_CACHE_TTL seconds (one query per table),
so the request path never queries them."""
from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass, field

from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Channel, LlmModel, ModelAlias
from services.billing.pricing import Price
from services.catalog.dialects import speaks_of
from services.crypto import decrypt_secret
from services.ssrf import Policy

_KEY = "tollgate.catalog"


@dataclass(frozen=True)
class Timeouts:
    """How an upstream call may connect and wait, and where it may go."""

    connect: float
    first_byte: float            # until the response starts (non-stream: the whole answer)
    idle: float | None = None    # longest silence between stream chunks (None: first_byte)
    policy: Policy = Policy()    # the SSRF policy every new connection is vetted against


@dataclass(frozen=True)
class ModelInfo:
    id: str
    display_name: str
    category: str
    capabilities: tuple
    owned_by: str
    context_window: int | None
    max_output_tokens: int | None
    price: Price
    enabled: bool
    public: bool
    created: int


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    name: str
    provider: str
    base_url: str
    api_key: str = field(repr=False)  # never in reprs, logs or errors
    models: tuple
    model_map: dict
    priority: int
    weight: int
    timeouts: Timeouts = Timeouts(10.0, 300.0)
    # The dialects the upstream speaks (services.catalog.dialects.DIALECTS), as
    # the operator said, else the provider default: never empty for a known kind.
    speaks: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.speaks:  # built without one (tests, tools): the provider default
            object.__setattr__(self, "speaks", speaks_of(self.provider, None))

    def upstream_name(self, model_id: str) -> str:
        return self.model_map.get(model_id, model_id)

    @property
    def flavor(self) -> str:
        """Which OpenAI-compatible provider this is, for its known quirks."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        for needle, flavor in (("deepseek", "deepseek"), ("dashscope", "qwen"), ("aliyuncs", "qwen"),
                               ("openrouter", "openrouter"), ("generativelanguage", "gemini")):
            if needle in host:
                return flavor
        return "openai"


@dataclass(frozen=True)
class Catalog:
    models: dict
    routes: dict  # model id -> channels serving it, highest priority first
    aliases: tuple = ()  # (pattern, model id), exact names first, then longest patterns

    def model(self, model_id: str) -> ModelInfo | None:
        info = self.models.get(model_id)
        return info if info is not None and info.enabled else None

    def resolve(self, name: str) -> ModelInfo | None:
        """The registry model a client's model name stands for."""
        if name in self.models:
            return self.model(name)
        for pattern, target in self.aliases:
            if fnmatchcase(name, pattern):
                return self.model(target)
        return None

    def channels_for(self, model_id: str) -> list[ChannelInfo]:
        return self.routes.get(model_id, [])


def model_info(row: LlmModel) -> ModelInfo:
    return ModelInfo(
        id=row.id, display_name=row.display_name or row.id, category=row.category,
        capabilities=tuple(row.capabilities or ()), owned_by=row.owned_by,
        context_window=row.context_window, max_output_tokens=row.max_output_tokens,
        price=Price(input=row.input_price, output=row.output_price, cache_read=row.cache_read_price,
                    request=row.request_price, cache_write=row.cache_write_price,
                    image=dict(row.image_prices or {}), image_input=row.image_input_price,
                    character=row.character_price or 0, second=row.second_price or 0,
                    search_unit=row.search_unit_price or 0, video=dict(row.video_prices or {})),
        enabled=row.enabled, public=row.public,
        created=int(row.created_at.timestamp()) if row.created_at else 0,
    )


def upstream_policy() -> Policy:
    return Policy.from_setting(current_app.config["UPSTREAM_ALLOWED_NETWORKS"])


def channel_timeouts(row, policy: Policy) -> Timeouts:
    config = current_app.config
    return Timeouts(connect=row.connect_timeout or config["UPSTREAM_CONNECT_TIMEOUT"],
                    first_byte=row.first_byte_timeout or config["UPSTREAM_FIRST_BYTE_TIMEOUT"],
                    idle=row.idle_timeout or config["UPSTREAM_IDLE_TIMEOUT"], policy=policy)


def channel_info(row, secret_key: str, policy: Policy) -> ChannelInfo:
    """A channel row as the relay sees it (its key decrypted)."""
    return ChannelInfo(
        id=row.id, name=row.name, provider=row.provider, base_url=row.base_url.rstrip("/"),
        api_key=decrypt_secret(secret_key, row.api_key_encrypted),
        models=tuple(row.models or ()), model_map=dict(row.model_map or {}),
        priority=row.priority, weight=max(row.weight, 0), timeouts=channel_timeouts(row, policy),
        speaks=speaks_of(row.provider, row.speaks),
    )


def load_catalog() -> Catalog:
    secret_key = current_app.config["SECRET_KEY"]
    policy = upstream_policy()
    with db.engine.connect() as conn:
        model_rows = conn.execute(select(LlmModel.__table__)).all()
        channel_rows = conn.execute(
            select(Channel.__table__).where(Channel.enabled.is_(True))).all()
        alias_rows = conn.execute(select(ModelAlias.pattern, ModelAlias.model_id)).all()
    models = {row.id: model_info(row) for row in model_rows}
    routes: dict[str, list[ChannelInfo]] = {}
    for row in channel_rows:
        info = channel_info(row, secret_key, policy)
        for model_id in info.models:
            routes.setdefault(model_id, []).append(info)
    for channels in routes.values():
        channels.sort(key=lambda c: -c.priority)
    # Exact names win over patterns; among patterns the longest (most specific) wins.
    aliases = tuple(sorted(((p, m) for p, m in alias_rows),
                           key=lambda a: (any(ch in a[0] for ch in "*?["), -len(a[0]), a[0])))
    return Catalog(models=models, routes=routes, aliases=aliases)


def current_catalog() -> Catalog:
    ttl = current_app.config["CATALOG_CACHE_TTL"]
    cached = current_app.extensions.get(_KEY)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    catalog = load_catalog()
    current_app.extensions[_KEY] = (now + ttl, catalog)
    return catalog


def invalidate_catalog() -> None:
    current_app.extensions.pop(_KEY, None)


def _unit(seed: str) -> float:
    """A deterministic number in (0, 1) from a string."""
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") + 1) / (2**64 + 2)


def route_order(channels: list[ChannelInfo], rng: random.Random | None = None,
                sticky: str | None = None) -> list[ChannelInfo]:
    """Every channel in the order to try: priority groups highest first;
    inside a group a weighted random order (each position drawn in
    proportion to weight, Efraimidis-Spirakis), or, for a sticky key, a
    weighted rendezvous order that stays the same for that key while the
    channels do. Channels of weight 0 come last in their group."""
    rand = (rng or random).random
    groups: dict[int, list[ChannelInfo]] = {}
    for channel in channels:
        groups.setdefault(channel.priority, []).append(channel)
    ordered = []
    for priority in sorted(groups, reverse=True):
        def score(channel: ChannelInfo) -> float:
            if channel.weight <= 0:
                return math.inf
            u = _unit(f"{sticky}:{channel.id}") if sticky is not None else (rand() or 1e-12)
            return -math.log(u) / channel.weight
        ordered += sorted(groups[priority], key=score)
    return ordered


def pick_channel(channels: list[ChannelInfo], rng: random.Random | None = None) -> ChannelInfo | None:
    """Weighted random choice inside the highest priority group."""
    order = route_order(channels, rng)
    return order[0] if order else None


def visible_models(key) -> list:
    """The models a key may see and call: enabled, served by a channel,
    allowed by the key's list, and public unless the list names them
    (what /v1/models, the Gemini list and the playground show)."""
    catalog = current_catalog()
    return [m for m in catalog.models.values()
            if m.enabled and catalog.channels_for(m.id) and key.may_use(m.id)
            and (m.public or (key.allowed_models is not None and m.id in key.allowed_models))]

"""Editing the model registry (used by the CLI and the admin)."""
from __future__ import annotations

from extensions import db
from models import LlmModel, ModelAlias
from services.catalog.snapshot import invalidate_catalog

EDITABLE = ("display_name", "category", "capabilities", "owned_by", "context_window",
            "max_output_tokens", "input_price", "output_price", "cache_read_price",
            "cache_write_price", "request_price", "enabled", "public", "image_prices", "image_input_price",
            "character_price", "second_price", "search_unit_price", "video_prices")


NULLABLE = ("context_window", "max_output_tokens", "cache_read_price", "cache_write_price", "image_prices",
            "video_prices",
            "image_input_price")
PRICE_FIELDS = ("input_price", "output_price", "cache_read_price", "cache_write_price", "request_price",
                "image_input_price", "character_price", "second_price", "search_unit_price")


class RegistryError(ValueError):
    pass


def set_model(model_id: str, *, clear: tuple = (), **fields) -> tuple[LlmModel, bool]:
    """Create or update a model; fields left as None keep their value, the
    optional fields named in `clear` are emptied (e.g. cache_read_price: back
    to the input price). Returns (model, created)."""
    model_id = model_id.strip()
    if not model_id:
        raise RegistryError("a model needs an id")
    unknown = (set(fields) | set(clear)) - set(EDITABLE)
    if unknown:
        raise RegistryError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name in PRICE_FIELDS + ("context_window", "max_output_tokens"):
        if fields.get(name) is not None and fields[name] < 0:
            raise RegistryError(f"{name} cannot be negative")
    if fields.get("image_prices") is not None:
        fields["image_prices"] = parse_image_prices(fields["image_prices"])
    if fields.get("video_prices") is not None:
        fields["video_prices"] = parse_video_prices(fields["video_prices"])
    model = db.session.get(LlmModel, model_id)
    created = model is None
    if created:
        model = LlmModel(id=model_id, display_name=model_id, capabilities=["chat"])
        db.session.add(model)
    for name, value in fields.items():
        if value is not None:
            setattr(model, name, value)
    for name in clear:
        if name in NULLABLE and fields.get(name) is None:
            setattr(model, name, None)
    db.session.commit()
    invalidate_catalog()
    return model, created


def parse_image_prices(value) -> dict:
    """Per-image prices from {"1024x1024/hd": 80000, "*": 40000} or the text
    "1024x1024/hd=80000, *=40000": SIZE, SIZE/QUALITY, */QUALITY or *, each
    a non-negative whole number of credits."""
    if isinstance(value, str):
        pairs = {}
        for item in value.replace(";", ",").split(","):
            if not item.strip():
                continue
            name, sep, amount = item.partition("=")
            if not sep:
                raise RegistryError(f"image price {item.strip()!r} is not TIER=CREDITS")
            pairs[name.strip()] = amount.strip()
        value = pairs
    if not isinstance(value, dict):
        raise RegistryError("image prices are TIER=CREDITS pairs")
    prices = {}
    for name, amount in value.items():
        name = str(name).strip().lower()
        size, _, quality = name.partition("/")
        if not size or len(name) > 40 or not all(part == "*" or part.replace("x", "").isalnum()
                                                   for part in (size, quality or "*")):
            raise RegistryError(f"image tier {name!r} is not SIZE, SIZE/QUALITY, */QUALITY or *")
        try:
            credits = int(amount)
        except (TypeError, ValueError):
            raise RegistryError(f"the price of image tier {name!r} is not a whole number") from None
        if credits < 0:
            raise RegistryError(f"the price of image tier {name!r} cannot be negative")
        prices[name] = credits
    return prices


def parse_video_prices(value) -> dict:
    """Per-second video prices by size, "1280x720=100, *=80" (or a dict):
    the same pairs as image prices, without qualities."""
    prices = parse_image_prices(value)
    if any("/" in name for name in prices):
        raise RegistryError("video prices are SIZE=CREDITS or *=CREDITS, without a quality")
    return prices


def format_image_prices(prices: dict | None) -> str:
    return ", ".join(f"{name}={amount}" for name, amount in (prices or {}).items())


def set_alias(pattern: str, model_id: str) -> ModelAlias:
    """Map a client-facing name or wildcard pattern (e.g. `claude-sonnet-4-*`)
    to a registry model; replaces an existing mapping of the same pattern."""
    pattern = pattern.strip()
    if not pattern or len(pattern) > 128:
        raise RegistryError("an alias pattern is 1 to 128 characters")
    if db.session.get(LlmModel, model_id) is None:
        raise RegistryError(f"no model {model_id!r} in the registry")
    if db.session.get(LlmModel, pattern) is not None:
        raise RegistryError(f"{pattern!r} is a registry model itself")
    alias = db.session.execute(db.select(ModelAlias).filter_by(pattern=pattern)).scalar_one_or_none()
    if alias is None:
        alias = ModelAlias(pattern=pattern, model_id=model_id)
        db.session.add(alias)
    alias.model_id = model_id
    db.session.commit()
    invalidate_catalog()
    return alias


def remove_alias(pattern: str) -> bool:
    alias = db.session.execute(db.select(ModelAlias).filter_by(pattern=pattern.strip())).scalar_one_or_none()
    if alias is None:
        return False
    db.session.delete(alias)
    db.session.commit()
    invalidate_catalog()
    return True

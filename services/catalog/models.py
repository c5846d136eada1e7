"""Editing the model registry (used by the CLI and the admin)."""
from __future__ import annotations

from extensions import db
from models import LlmModel, ModelAlias
from services.catalog.snapshot import invalidate_catalog

EDITABLE = ("display_name", "category", "capabilities", "owned_by", "context_window",
            "max_output_tokens", "input_price", "output_price", "cache_read_price",
            "cache_write_price", "request_price", "enabled", "public")


NULLABLE = ("context_window", "max_output_tokens", "cache_read_price", "cache_write_price")


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
    for name in ("input_price", "output_price", "cache_read_price", "cache_write_price", "request_price",
                 "context_window", "max_output_tokens"):
        if fields.get(name) is not None and fields[name] < 0:
            raise RegistryError(f"{name} cannot be negative")
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

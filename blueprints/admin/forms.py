"""Reading admin forms: small parsers that raise FormError with a message
naming the field, so a view can show it above the form it re-renders."""
from __future__ import annotations

from datetime import date, datetime

from flask import flash, request
from flask_login import current_user

from blueprints.storefront.i18n import translate

from services import audit


class FormError(ValueError):
    pass


def text(name: str, default: str = "") -> str:
    return (request.form.get(name) or default).strip()


def integer(name: str, label: str, *, required: bool = False, minimum: int | None = None) -> int | None:
    raw = text(name).replace(",", "").replace("_", "")
    if not raw:
        if required:
            raise FormError(f"{label}: required")
        return None
    try:
        value = int(raw)
    except ValueError:
        raise FormError(f"{label}: a whole number, please") from None
    if minimum is not None and value < minimum:
        raise FormError(f"{label}: at least {minimum}")
    return value


def number(name: str, label: str) -> float | None:
    raw = text(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise FormError(f"{label}: a number of seconds, please") from None
    if value <= 0:
        raise FormError(f"{label}: more than 0")
    return value


def checkbox(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true", "yes")


def words(name: str) -> list[str]:
    """Comma- or line-separated values."""
    return [w.strip() for w in text(name).replace("\n", ",").split(",") if w.strip()]


def pairs(name: str, label: str) -> dict[str, str]:
    """Lines of `client=upstream`."""
    mapping = {}
    for line in text(name).splitlines():
        if not line.strip():
            continue
        client, sep, upstream = line.partition("=")
        if not sep or not client.strip() or not upstream.strip():
            raise FormError(f"{label}: expected client_name=upstream_name, got {line.strip()!r}")
        mapping[client.strip()] = upstream.strip()
    return mapping


def moment(name: str, label: str) -> datetime | None:
    raw = text(name)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise FormError(f"{label}: a date and time such as 2026-01-31T23:59") from None


def day_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def int_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


def page_arg() -> int:
    return int_arg("page") or 1


def done(message: str, **values) -> None:
    """Flash in the operator's language; `values` fill the {placeholders}."""
    flash(translate(message, **values), "ok")


def failed(message: str, **values) -> None:
    flash(translate(message, **values), "error")


def audited(action: str, target: str, reason: str | None = None, **detail) -> None:
    """Record the signed-in operator's action (configuration edits; money
    operations record theirs inside their own transaction)."""
    audit.record(current_user.id, action, target, reason, detail or None)

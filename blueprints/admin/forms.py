"""Reading admin forms: small parsers that raise FormError with a message
naming the field (in the operator's language), so a view can show it above
the form it re-renders. Numbers are bounded to what their column holds, so
bad input is a form error, never a driver's overflow."""
from __future__ import annotations

import math
import re
from datetime import date, datetime

from flask import abort, flash, request
from flask_babel import gettext
from flask_login import current_user

from services import audit
from i18n import N_


MAX_INT = 2**31 - 1  # an INTEGER column: ids, cents, sort orders, token counts, ...
ID = f"int(min=1, max={MAX_INT})"  # route converter: an id no row can have is a 404, not an overflow
MAX_AMOUNT = 10**15  # credits and prices (BIGINTEGER): far above any real amount, far below 2**63

# Refusals the services raise as finished English text with values in it
# (f-strings): error_text() reads the values back out with these templates
# and translates the template. The catalog has each; N_() marks them for
# `pybabel extract`.
SERVICE_MESSAGES = (
    N_("No account %(id)s."), N_("No order %(no)s."),
    N_("Order %(no)s is %(status)s; only a pending order can be marked paid."),
    N_("Order %(no)s is %(status)s; only a paid order can be refunded."),
    N_("The account's balance (%(balance)s credits) no longer covers the %(credits)s credits this order gave; "
       "nothing was refunded."),
    N_("unknown dialect %(name)s; choose from %(allowed)s"),  # services.catalog.dialects
    N_("a channel of kind %(provider)s cannot speak %(refused)s; it can speak %(sendable)s"),
)
_SERVICE_PATTERNS = tuple(
    (template, re.compile("".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part)
                                  for i, part in enumerate(re.split(r"%\((\w+)\)s", template)))))
    for template in SERVICE_MESSAGES)


class FormError(ValueError):
    pass


def _form_error(message: str, label: str, **values) -> FormError:
    return FormError(gettext(message, label=gettext(label), **values))


def text(name: str, default: str = "") -> str:
    return (request.form.get(name) or default).strip()


def integer(name: str, label: str, *, required: bool = False, minimum: int | None = None,
            maximum: int = MAX_AMOUNT) -> int | None:
    """A whole number from `minimum` (default -maximum) to `maximum`."""
    raw = text(name).replace(",", "").replace("_", "")
    if not raw:
        if required:
            raise _form_error(N_("%(label)s: required"), label)
        return None
    try:
        value = int(raw)
    except ValueError:
        raise _form_error(N_("%(label)s: a whole number, please"), label) from None
    lowest = -maximum if minimum is None else minimum
    if value < lowest:
        raise _form_error(N_("%(label)s: at least %(minimum)s"), label, minimum=f"{lowest:,}")
    if value > maximum:
        raise _form_error(N_("%(label)s: at most %(maximum)s"), label, maximum=f"{maximum:,}")
    return value


def number(name: str, label: str) -> float | None:
    raw = text(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # float() also reads "nan" and "1e999"
        raise _form_error(N_("%(label)s: a number of seconds, please"), label)
    if value <= 0:
        raise _form_error(N_("%(label)s: more than 0"), label)
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
            raise _form_error(N_("%(label)s: expected client_name=upstream_name, got %(line)s"), label,
                              line=repr(line.strip()))
        mapping[client.strip()] = upstream.strip()
    return mapping


def moment(name: str, label: str) -> datetime | None:
    raw = text(name)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise _form_error(N_("%(label)s: a date and time such as 2026-01-31T23:59"), label) from None


def day_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _whole(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    # isdigit() alone is true for "²" and other digits int() refuses.
    return int(raw) if raw.isascii() and raw.isdigit() else None


def id_arg(name: str) -> int | None:
    """An id filter; None (no filter) when absent or not a number. A number
    no row can have is a 400: the driver would overflow on it."""
    value = _whole(request.args.get(name))
    if value is not None and value > MAX_INT:
        abort(400)
    return value


def page_arg() -> int:
    """reports clamps it to 1..MAX_PAGE."""
    return _whole(request.args.get("page")) or 1


def done(message: str, **values) -> None:
    """Flash in the operator's language; `values` fill the %(placeholders)s."""
    flash(gettext(message, **values), "ok")


def failed(message: str, **values) -> None:
    flash(gettext(message, **values), "error")


def error_text(exc: Exception) -> str:
    """A FormError or a service's refusal in the operator's language: a fixed
    text is its own key; one with values is matched against SERVICE_MESSAGES.
    Anything else stays as the service wrote it."""
    message = str(exc)
    for template, pattern in _SERVICE_PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return gettext(template, **found.groupdict())
    return gettext(message)


def refused(exc: Exception) -> None:
    flash(error_text(exc), "error")


def audited(action: str, target: str, reason: str | None = None, **detail) -> None:
    """Record the signed-in operator's action (configuration edits; money
    operations record theirs inside their own transaction)."""
    audit.record(current_user.id, action, target, reason, detail or None)

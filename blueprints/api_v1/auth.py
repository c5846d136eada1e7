"""API-key authentication and per-key rate limits, at the edge.

The rate limit runs first and needs the key too, so the key is resolved once
per request and kept on `g`: a valid key is limited per key (its own
requests per minute/day or the defaults), anything else per client IP, which
also slows down key guessing.

The limit is checked here, once per request, with flask-limiter's own
strategy and storage (so the counters are the ones its decorators used,
in Redis when REDIS_URL is set), not through its decorator: that evaluated
the request's limits twice (its before_request pass and the decorator's)
with a walk of exemptions and hints each time, about a tenth of a /v1
request's CPU."""
from __future__ import annotations

import time
from functools import lru_cache, wraps

from flask import current_app, g, request
from limits import RateLimitItem, parse_many

from extensions import limiter
from services.identity.keys import KeyContext, authenticate
from services.relay.doors.base import Door
from services.relay.doors.openai_chat import DOOR as OPENAI_DOOR
from services.relay.errors import RelayError

_UNSET = object()


def presented_key() -> str | None:
    """The key where the request's door lets its clients present it: a
    Bearer token, a header of the door's own (x-api-key...), the query
    parameter it names (Gemini's ?key=), or a WebSocket subprotocol
    (Realtime's openai-insecure-api-key.<key>)."""
    door = g.get("door") or OPENAI_DOOR
    for header in door.key_headers:
        value = request.headers.get(header, "")
        if header == "authorization":
            if value[:7].lower() == "bearer ":
                return value[7:].strip() or None
        elif value.strip():
            return value.strip()
    if door.key_query:
        return request.args.get(door.key_query, "").strip() or None
    if door.key_subprotocol:
        for offered in request.headers.get("Sec-WebSocket-Protocol", "").split(","):
            offered = offered.strip()
            if offered.startswith(door.key_subprotocol):
                return offered[len(door.key_subprotocol):] or None
    return None


def resolve_key() -> KeyContext | None:
    ctx = g.get("api_key", _UNSET)
    if ctx is _UNSET:
        ctx = authenticate(presented_key())
        g.api_key = ctx
    return ctx


def _limit_identity() -> str:
    ctx = resolve_key()
    return f"key:{ctx.id}" if ctx is not None else f"ip:{request.remote_addr}"


def _limit_value() -> str:
    config = current_app.config
    ctx = resolve_key()
    if ctx is None:
        return f"{config['UNAUTHENTICATED_RPM']}/minute"
    rpm = ctx.rpm or config["DEFAULT_KEY_RPM"]
    rpd = ctx.rpd or config["DEFAULT_KEY_RPD"]
    limits = [f"{rpm}/minute"] if rpm > 0 else ["1000000/minute"]
    if rpd > 0:
        limits.append(f"{rpd}/day")
    return ";".join(limits)


@lru_cache(maxsize=256)
def _items(value: str) -> tuple[RateLimitItem, ...]:
    # Shortest window first, as flask-limiter orders them.
    return tuple(sorted(parse_many(value)))


class RateLimited(RelayError):
    """The key's (or the client IP's) requests per minute or day."""


# One budget per key across every /v1 and /api/v1 route (and the playground).
SCOPE = "api"


def check_rate_limit() -> None:
    """Count this request against its budget: RateLimited (429, Retry-After)
    at the first limit it is over, which then counts no further. The limit
    to show in the x-ratelimit-* headers is left on `g`."""
    if not limiter.enabled:
        return
    args = [_limit_identity(), SCOPE]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    if prefix:
        args.insert(0, prefix)
    strategy = limiter.limiter
    items = _items(_limit_value())
    for item in items:
        if not strategy.hit(item, *args):
            g.rate_limit = (item, args)
            reset = int(strategy.get_window_stats(item, *args).reset_time + 1)
            raise RateLimited(429, "rate_limited", f"Rate limit exceeded ({item}); retry later.",
                              retry_after=max(1, int(reset - time.time())))
    g.rate_limit = (items[0], args)


def rate_limit_headers(response):
    """after_request: the x-ratelimit-* headers flask-limiter would add, for
    the limit that refused the request or else the shortest."""
    limit = g.get("rate_limit")
    if limit is not None and current_app.config.get("RATELIMIT_HEADERS_ENABLED", True):
        item, args = limit
        stats = limiter.limiter.get_window_stats(item, *args)
        response.headers["x-ratelimit-limit"] = str(item.amount)
        response.headers["x-ratelimit-remaining"] = str(stats.remaining)
        response.headers["x-ratelimit-reset"] = str(int(stats.reset_time + 1))
    return response


def rate_limited(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        check_rate_limit()
        return view(*args, **kwargs)

    return wrapper


def require_api_key(view):
    """401 for a missing, unknown, malformed, disabled or expired key (all
    alike); api_disabled when the key is fine but its account is suspended."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        ctx = resolve_key()
        if ctx is None:
            raise RelayError(401, "invalid_api_key", "Invalid or missing API key.")
        if not ctx.account_active:
            raise RelayError(401, "api_disabled", "API access is disabled for this account.")
        return view(*args, **kwargs)

    return wrapper


def api_view(door: Door):
    """Every /v1 view, bound to its door (key headers, error shape): rate
    limited, then authenticated."""
    def decorate(view):
        limited = rate_limited(require_api_key(view))

        @wraps(view)
        def wrapper(*args, **kwargs):
            g.door = door
            return limited(*args, **kwargs)

        return wrapper

    return decorate

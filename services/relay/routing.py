"""Choosing channels for a call, and failing over between them.

Candidates come in route order (priority groups, weights, optional sticky
order per key); a candidate whose breaker is open is skipped. A failed
attempt is recorded by kind: server failures and 429s feed the breaker, an
upstream 401/403 takes the channel out of service, the client's own errors
count for nothing and are never retried."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from flask import current_app

from services.catalog.channels import disable_channel
from services.catalog.snapshot import ChannelInfo, ModelInfo, current_catalog, route_order
from services.identity.keys import KeyContext
from services.relay.adapters import adapter_for
from services.relay.adapters.base import UpstreamError
from services.relay.breaker import Admission, breaker_key
from services.relay.convert.table import plan
from services.relay.errors import RelayError
from services.relay.shared_state import breakers

log = logging.getLogger("tollgate.routing")


@dataclass
class Route:
    model: ModelInfo
    candidates: list[ChannelInfo]
    attempts: int = 0
    position: int = 0
    channel: ChannelInfo | None = None
    admission: Admission | None = field(default=None, repr=False)
    soonest_retry: float | None = None
    booked: bool = False  # the current channel's outcome went to its breaker


def resolve(key: KeyContext, model_id: str, dialect: str = "openai.chat", affinity: str | None = None,
            channel_id: int | None = None) -> Route:
    """The billed model (the registry's, or an alias's target) and the
    channels to try, those that can serve `dialect` directly or through a
    converter (only `channel_id` when given: a task's follow-up goes where
    the task is); 404 for what the key may not use, 503 without any."""
    catalog = current_catalog()
    model = catalog.resolve(model_id)
    allowed = key.allowed_models
    explicitly_allowed = allowed is not None and (model_id in allowed or (model and model.id in allowed))
    visible = model is not None and (model.public or explicitly_allowed)
    if not visible or (allowed is not None and not explicitly_allowed):
        raise RelayError(404, "model_not_available", f"The model '{model_id}' is not available.")
    # A client's cache key (Responses' prompt_cache_key) keeps its calls on
    # one channel, where the prompt cache is; failover still moves on.
    if affinity:
        sticky = f"{key.id}:{model.id}:{affinity}"
    else:
        sticky = f"{key.id}:{model.id}" if key.sticky_routing else None
    candidates = [c for c in route_order(catalog.channels_for(model.id), sticky=sticky)
                  if adapter_for(c.provider) is not None and plan(dialect, c) is not None
                  and (channel_id is None or c.id == channel_id)]
    if not candidates:
        raise RelayError(503, "provider_not_configured", f"No upstream provider is configured for '{model_id}'.")
    return Route(model=model, candidates=candidates)


def next_channel(route: Route) -> ChannelInfo | None:
    """The next candidate whose breaker lets a call through, within the
    attempt budget; None when there is none."""
    if route.attempts >= current_app.config["RELAY_MAX_ATTEMPTS"]:
        return None
    board = breakers()
    while route.position < len(route.candidates):
        channel = route.candidates[route.position]
        route.position += 1
        admission = board.admit(breaker_key(channel.id, route.model.id))
        if admission.allowed:
            route.attempts += 1
            route.channel, route.admission, route.booked = channel, admission, False
            return channel
        if admission.retry_at is not None:
            route.soonest_retry = min(route.soonest_retry or admission.retry_at, admission.retry_at)
    return None


def all_failing(route: Route, model_id: str) -> RelayError:
    wait = max(1, int((route.soonest_retry or time.time() + 1) - time.time()))
    return RelayError(503, "provider_error",
                      f"Every upstream channel for '{model_id}' is failing; retry later.", retry_after=wait)


def succeeded(route: Route) -> None:
    route.booked = True
    breakers().success(breaker_key(route.channel.id, route.model.id), route.admission)


def release(route: Route) -> None:
    """The call is over without an outcome for its channel's breaker (refused
    after routing, the client's own error, the client gone): a half-open
    channel's probe slot is returned at once, not after PROBE_SECONDS."""
    if route.admission is None or route.booked:
        return
    route.booked = True
    breakers().release(breaker_key(route.channel.id, route.model.id), route.admission)


def failed(route: Route, exc: UpstreamError) -> None:
    """Book a failed attempt on the channel it went to."""
    kind = exc.kind
    channel = route.channel
    if kind == "client":
        release(route)  # says nothing about the channel's health
        return
    route.booked = True
    if kind == "auth":
        log.warning("channel %s (%s): the upstream refused our key (HTTP %s); disabled until the operator "
                    "enables it", channel.id, channel.name, exc.status)
        disable_channel(channel.id, f"upstream answered HTTP {exc.status}: the channel's key was refused")
        return
    breakers().failure(breaker_key(channel.id, route.model.id), route.admission, kind, exc.retry_after)

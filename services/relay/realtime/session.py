"""Opening a realtime session, before the client's upgrade is answered: the
model and a channel that speaks `openai.realtime`, the key's limits, the
first response's hold, and the upstream WebSocket (failing over between
channels like any call while nothing has been relayed). A refusal is
logged and raised as a RelayError, so the client gets an HTTP error in the
OpenAI shape instead of a WebSocket."""
from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app

from services.identity.keys import KeyContext
from services.relay import limits, routing
from services.relay.adapters.base import UpstreamError
from services.relay.call import ClientInfo, log_refusal
from services.relay.dialects.openai_realtime import NAME
from services.relay.errors import RelayError
from services.relay.realtime import upstream as upstream_ws
from services.relay.realtime.billing import DOOR, SessionBill, hold_for
from services.relay.routing import Route
from services.relay.run import relay_error


@dataclass
class Session:
    id: str
    key: KeyContext
    route: Route
    bill: SessionBill
    upstream: object                # the open websocket-client connection
    slot_held: bool
    upstream_model: str

    @property
    def channel(self):
        return self.route.channel


def _connect(route: Route, model_id: str, headers: dict):
    while True:
        try:
            ws = upstream_ws.connect(route.channel, route.model.id, headers)
        except UpstreamError as exc:
            routing.failed(route, exc)
            if exc.kind != "client" and routing.next_channel(route) is not None:
                continue
            raise relay_error(SimpleNamespace(channel=route.channel), exc) from None  # it reads .channel only
        routing.succeeded(route)
        return ws


def check_model(key: KeyContext, model_id: str | None) -> None:
    """The checks a session's model gets, for a plain GET (never held or opened)."""
    if not model_id:
        raise RelayError(400, "model_required", "The query parameter 'model' is required.")
    routing.resolve(key, model_id, NAME)


def open_session(key: KeyContext, model_id: str | None, *, request_id: str, client: ClientInfo,
                 beta: bool = False) -> Session:
    """Everything up to an open upstream session, with the first hold."""
    started = time.perf_counter()
    config = current_app.config
    held, route, bill = False, None, None
    try:
        check_model(key, model_id)
        route = routing.resolve(key, model_id, NAME)
        limits.check_tokens(key)
        if routing.next_channel(route) is None:
            raise routing.all_failing(route, model_id)
        held = limits.take_slot(key)
        bill = SessionBill(request_id, key, route.model, client,
                           hold_for(route.model, config["REALTIME_PROMPT_BOUND_TOKENS"],
                                    config["DEFAULT_MAX_OUTPUT_TOKENS"]))
        bill.top_up()
        ws = _connect(route, model_id, {"OpenAI-Beta": "realtime=v1"} if beta else {})
        bill.channel = route.channel
    except BaseException as exc:
        if bill is not None and bill.current is not None:
            bill.charge(None, log=False)
        limits.release_slot(key, held)
        if route is not None:
            routing.release(route)
        if isinstance(exc, RelayError):
            log_refusal(key, request_id, client, DOOR, model_id, True, exc, started)
        raise
    return Session(request_id, key, route, bill, ws, held, route.channel.upstream_name(route.model.id))


def close_session(session: Session) -> None:
    """What is left once the pump is done: the key's slot."""
    limits.release_slot(session.key, session.slot_held)
    session.slot_held = False

"""GET /v1/realtime?model=... (and /api/v1/realtime): OpenAI's Realtime API
as a WebSocket relay. The key, the model, its channel and the first hold
are checked before the upgrade, so a refusal is an HTTP error in the
OpenAI shape; a plain GET that passes them is told to upgrade (426)."""
from __future__ import annotations

from flask import Response, current_app, g, request

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import client_info
from services.relay.errors import RelayError
from services.relay.realtime import DOOR
from services.relay.realtime.pump import SUBPROTOCOL, ClientSocket, abandon, relay_session
from services.relay.realtime.session import check_model, open_session

BETA_SUBPROTOCOL = "openai-beta.realtime-v1"


def _is_upgrade() -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


class _Upgraded(Response):
    """What the view returns once the session is over: the socket was the
    WebSocket's, so gunicorn must write nothing more (flask-sock's way)."""

    def __call__(self, environ, start_response):
        raise StopIteration()


def realtime():
    if not _is_upgrade():
        # Checked like a session would be (key, model, channel) but never held or opened.
        check_model(g.api_key, request.args.get("model"))
        raise RelayError(426, "upgrade_required", "The Realtime API is a WebSocket: connect with "
                         "`Upgrade: websocket` (wss://.../v1/realtime?model=...).")
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    beta = BETA_SUBPROTOCOL in offered or "realtime=v1" in request.headers.get("OpenAI-Beta", "")
    session = open_session(g.api_key, request.args.get("model"), request_id=g.request_id,
                           client=client_info(), beta=beta)
    config = current_app.config
    try:
        client = ClientSocket(request.environ, subprotocols=[SUBPROTOCOL],
                              max_message_size=config["REALTIME_MAX_MESSAGE_BYTES"])
    except BaseException:
        abandon(current_app._get_current_object(), session)
        raise
    relay_session(current_app._get_current_object(), session, client)
    return _Upgraded()


_view = api_view(DOOR)(realtime)
# The same view for the upgrade (a websocket rule) and for a plain GET.
bp.add_url_rule("/realtime", "realtime", _view, methods=["GET"], websocket=True)
bp.add_url_rule("/realtime", "realtime_http", _view, methods=["GET"])

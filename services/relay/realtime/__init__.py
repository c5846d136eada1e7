"""OpenAI's Realtime API (GET /v1/realtime?model=..., a WebSocket), relayed
frame for frame to a channel that speaks `openai.realtime` and billed one
response at a time: session.py opens it (before the upgrade), pump.py
relays it, billing.py holds and charges."""
from __future__ import annotations

from services.relay.doors.base import Door
from services.relay.doors.openai_chat import DOOR as OPENAI_DOOR
from services.relay.dialects.openai_realtime import NAME


def _not_a_request_door(*_args, **_kwargs):
    raise NotImplementedError("realtime sessions are relayed by services.relay.realtime.pump")


# Its keys (Bearer, or the browser's subprotocol) and its errors (OpenAI's
# shape); a session is no request/answer call, so the rest is unused.
DOOR = Door(name="realtime", dialect=NAME, parse=_not_a_request_door, passthrough=_not_a_request_door,
            writer=_not_a_request_door, answer=_not_a_request_door, error_body=OPENAI_DOOR.error_body,
            key_subprotocol="openai-insecure-api-key.")

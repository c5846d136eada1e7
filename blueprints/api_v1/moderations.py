"""POST /v1/moderations: the classifier's verdict on text and images, billed per request (and input token where priced)."""
from __future__ import annotations

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from services.relay.doors.moderations import DOOR


@bp.post("/moderations")
@api_view(DOOR)
def moderations():
    return relay(DOOR)

"""POST /v1/embeddings: vectors for strings or token ids, billed per input token."""
from __future__ import annotations

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from services.relay.doors.embeddings import DOOR


@bp.post("/embeddings")
@api_view(DOOR)
def embeddings():
    return relay(DOOR)

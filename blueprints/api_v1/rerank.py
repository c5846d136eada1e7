"""POST /v1/rerank: documents ordered by relevance to a query (Jina/Cohere shape), billed per search unit."""
from __future__ import annotations

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from services.relay.doors.rerank import DOOR


@bp.post("/rerank")
@api_view(DOOR)
def rerank():
    return relay(DOOR)

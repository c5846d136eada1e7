"""POST /v1/completions: the legacy completions door."""
from __future__ import annotations

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from services.relay.doors import openai_completions


@bp.post("/completions")
@api_view(openai_completions.DOOR)
def completions():
    return relay(openai_completions.DOOR)

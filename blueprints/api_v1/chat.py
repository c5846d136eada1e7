"""POST /v1/chat/completions: the OpenAI door."""
from __future__ import annotations

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.relaying import relay
from services.relay.doors import openai_chat


@bp.post("/chat/completions")
@api_view(openai_chat.DOOR)
def chat_completions():
    return relay(openai_chat.DOOR)

"""OpenAI-compatible upstreams (OpenAI, DeepSeek, Qwen/DashScope compatible
mode, OpenRouter, vLLM, ...). The channel's base URL is what an SDK would
take, e.g. https://api.deepseek.com/v1; each dialect has its path under it."""
from __future__ import annotations

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts
from services.relay.adapters.streams import STREAMS
from services.relay.adapters.transport import json_answer, post

PATHS = {
    "openai.chat": "/chat/completions",
    "openai.responses": "/responses",
    "openai.completions": "/completions",
    "openai.embeddings": "/embeddings",
    "openai.images": "/images/generations",          # edits: /images/edits, given by the door
    "openai.audio.speech": "/audio/speech",
    "openai.audio.transcriptions": "/audio/transcriptions",  # translations: /audio/translations
    "openai.moderations": "/moderations",
    "openai.rerank": "/rerank",
}


# Dialects whose answers may be plain text rather than JSON.
TEXT_ANSWERS = frozenset({"openai.audio.transcriptions"})


def _headers(channel, stream: bool) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": http.USER_AGENT}
    if channel.api_key:
        headers["Authorization"] = f"Bearer {channel.api_key}"
    if stream:
        headers["Accept"] = "text/event-stream"
        headers["Accept-Encoding"] = "identity"  # compression would hold chunks back
    return headers


class OpenAIAdapter:
    kind = "openai"
    can_send = frozenset(PATHS)

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None, files: list | None = None):
        response = post(channel.base_url + (path or PATHS[dialect]), body, _headers(channel, stream), timeouts,
                        stream=stream, files=files)
        if stream:
            return STREAMS[dialect](response)
        return json_answer(response, text_allowed=dialect in TEXT_ANSWERS)

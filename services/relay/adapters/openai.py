"""OpenAI-compatible upstreams (OpenAI, DeepSeek, Qwen/DashScope compatible
mode, OpenRouter, vLLM, ...). The channel's base URL is what an SDK would
take, e.g. https://api.deepseek.com/v1; each dialect has its path under it."""
from __future__ import annotations

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts
from services.relay.adapters.streams import STREAMS
from services.relay.adapters.transport import get, json_answer, post

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
    "openai.videos": "/videos",                      # remix: /videos/{id}/remix, given by the family
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

    def fetch(self, channel, request, timeouts: Timeouts) -> dict:
        """A task's status from the upstream (request: services.tasks.family.Fetch)."""
        url = channel.base_url + request.path
        if request.method == "GET":
            return json_answer(get(url, _headers(channel, False), timeouts))
        return json_answer(post(url, request.body or {}, _headers(channel, False), timeouts, stream=False))

    def download(self, channel, location: str, timeouts: Timeouts):
        """A task's result, unread: `location` is a path under the channel
        (sent with its key) or the provider's own URL (sent without it)."""
        if location.startswith("/"):
            return get(channel.base_url + location, _headers(channel, False), timeouts, stream=True)
        return get(location, {"User-Agent": http.USER_AGENT}, timeouts, stream=True)

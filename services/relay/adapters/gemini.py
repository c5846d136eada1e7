"""Google's Gemini API (AI Studio keys, generativelanguage.googleapis.com).
The channel's base URL is the API version's root, e.g.
https://generativelanguage.googleapis.com/v1beta; a call goes to
`{base_url}/models/{model}:generateContent` (or `:streamGenerateContent?alt=sse`)
with the key in `x-goog-api-key`.

The relay's upstream body in the "gemini" dialect is
`{"model": upstream_model, **GenerateContentRequest}`: the model names the
URL and is taken out of what is sent (Gemini refuses unknown fields)."""
from __future__ import annotations

from urllib.parse import quote

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts, UpstreamError
from services.relay.adapters.streams import GeminiStream, gemini_error
from services.relay.adapters.transport import json_answer, post

# Gemini answers a bad key with 400 INVALID_ARGUMENT; for routing it is the
# channel's key being refused, as 401 is elsewhere.
_BAD_KEY = ("API key not valid", "API_KEY_INVALID", "API key expired")


def _headers(channel, stream: bool, extra: dict | None) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": http.USER_AGENT}
    if channel.api_key:
        headers["x-goog-api-key"] = channel.api_key
    if stream:
        headers["Accept"] = "text/event-stream"
        headers["Accept-Encoding"] = "identity"
    headers.update(extra or {})
    return headers


def url_for(base_url: str, model: str, stream: bool) -> str:
    name = model[len("models/"):] if model.startswith("models/") else model
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"{base_url.rstrip('/')}/models/{quote(name, safe='')}:{action}"


class GeminiAdapter:
    kind = "gemini"
    can_send = frozenset({"gemini"})

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None):
        body = dict(body)
        model = body.pop("model", None)
        if not isinstance(model, str) or not model:
            raise UpstreamError(400, "no model to call")
        body.pop("stream", None)
        try:
            response = post(url_for(channel.base_url, model, stream), body, _headers(channel, stream, headers),
                            timeouts, stream=stream)
        except UpstreamError as exc:
            if exc.status == 400 and any(sign in exc.message for sign in _BAD_KEY):
                exc.status = 401
            raise
        if stream:
            return GeminiStream(response)
        answer = json_answer(response)
        if isinstance(answer.get("error"), dict):
            raise gemini_error(answer)
        return answer

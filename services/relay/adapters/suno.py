"""Suno through a suno-api style upstream (the API new-api's Suno channels
speak): the channel's base URL is the server's root (its paths start with
/suno/), the key a Bearer token. Submits go to /suno/submit/{action}
(given by the door), tasks are read with POST /suno/fetch {ids}. Clips are
at the provider's own URLs, fetched without the key."""
from __future__ import annotations

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts
from services.relay.adapters.transport import get, json_answer, post

SUBMIT = "/suno/submit/music"  # the default; lyrics: /suno/submit/lyrics, given by the door


def bearer(channel, extra: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": http.USER_AGENT, **(extra or {})}
    if channel.api_key:
        headers["Authorization"] = f"Bearer {channel.api_key}"
    return headers


def download(channel, location: str, timeouts: Timeouts):
    """A result, unread: a path under the channel (sent with its key) or the
    provider's own URL (sent without it)."""
    if location.startswith("/"):
        return get(channel.base_url + location, bearer(channel), timeouts, stream=True)
    return get(location, {"User-Agent": http.USER_AGENT}, timeouts, stream=True)


class SunoAdapter:
    kind = "suno"
    can_send = frozenset({"suno"})

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None, files: list | None = None):
        return json_answer(post(channel.base_url + (path or SUBMIT), body, bearer(channel), timeouts, stream=False))

    def fetch(self, channel, request, timeouts: Timeouts) -> dict:
        url = channel.base_url + request.path
        if request.method == "GET":
            return json_answer(get(url, bearer(channel), timeouts))
        return json_answer(post(url, request.body or {}, bearer(channel), timeouts, stream=False))

    def download(self, channel, location: str, timeouts: Timeouts):
        return download(channel, location, timeouts)

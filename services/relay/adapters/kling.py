"""Kling upstreams (Kuaishou's Kling API, and relays that copy it, new-api
among them). The channel's base URL is the API's root, e.g.
https://api-singapore.klingai.com (a relay's: https://relay.example.com/kling);
submits go to /v1/videos/text2video or /v1/videos/image2video, polls to
/v1/videos/<kind>/<task_id>.

The channel's key is "ACCESS_KEY|SECRET_KEY": every request carries a fresh
`Authorization: Bearer <JWT>` signed with the secret (HS256, iss the access
key, valid from 5 s ago for 30 minutes), as Kling requires. A key without
"|" is sent as a plain Bearer token (a relay's own key)."""
from __future__ import annotations

import time

import jwt

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts, UpstreamError
from services.relay.adapters.transport import get, json_answer, post

PATHS = {"kling": "/v1/videos/text2video"}  # image2video: given by the door
TOKEN_SECONDS = 1800
CLOCK_SKEW = 5


def token(api_key: str, now: float | None = None) -> str:
    """The Bearer token of a channel key: a JWT for "ACCESS|SECRET", the key itself otherwise."""
    access, sep, secret = (api_key or "").partition("|")
    if not sep:
        return api_key.strip()
    access, secret = access.strip(), secret.strip()
    if not access or not secret:
        raise UpstreamError(401, "the kling channel's key must be ACCESS_KEY|SECRET_KEY")
    now = int(now if now is not None else time.time())
    return jwt.encode({"iss": access, "exp": now + TOKEN_SECONDS, "nbf": now - CLOCK_SKEW}, secret,
                      algorithm="HS256", headers={"typ": "JWT"})


def _headers(channel) -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": http.USER_AGENT}
    if channel.api_key:
        headers["Authorization"] = f"Bearer {token(channel.api_key)}"
    return headers


class KlingAdapter:
    kind = "kling"
    can_send = frozenset(PATHS)

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None, files: list | None = None):
        return json_answer(post(channel.base_url + (path or PATHS[dialect]), body, _headers(channel), timeouts,
                                stream=False))

    def fetch(self, channel, request, timeouts: Timeouts) -> dict:
        """A task's status (request: services.tasks.family.Fetch)."""
        url = channel.base_url + request.path
        if request.method == "GET":
            return json_answer(get(url, _headers(channel), timeouts))
        return json_answer(post(url, request.body or {}, _headers(channel), timeouts, stream=False))

    def download(self, channel, location: str, timeouts: Timeouts):
        """A video, unread: Kling's own URL (a CDN's, sent without the key),
        or a path under the channel (sent with it)."""
        if location.startswith("/"):
            return get(channel.base_url + location, _headers(channel), timeouts, stream=True)
        return get(location, {"User-Agent": http.USER_AGENT}, timeouts, stream=True)

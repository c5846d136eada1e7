"""Midjourney upstreams (midjourney-proxy and the services that copy its API,
new-api among them). The channel's base URL is the proxy's root, e.g.
https://mj.example.com: submits go to /mj/submit/<kind>, polls to
/mj/task/<id>/fetch, and its key travels in `mj-api-secret`."""
from __future__ import annotations

import orjson

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts, UpstreamError
from services.relay.adapters.transport import get, json_answer, post

PATHS = {"midjourney": "/mj/submit/imagine"}  # the other submits' paths are given by the door


def _json_or_list(response):
    try:
        answer = orjson.loads(response.data)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError(502, "the upstream sent an unreadable answer") from exc
    if not isinstance(answer, (dict, list)):
        raise UpstreamError(502, "the upstream sent an unreadable answer")
    return answer


def _headers(channel) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": http.USER_AGENT}
    if channel.api_key:
        headers["mj-api-secret"] = channel.api_key
    return headers


class MidjourneyAdapter:
    kind = "midjourney"
    can_send = frozenset(PATHS)

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None, files: list | None = None):
        return json_answer(post(channel.base_url + (path or PATHS[dialect]), body, _headers(channel), timeouts,
                                stream=False))

    def fetch(self, channel, request, timeouts: Timeouts):
        """A task's status, or a list of them for list-by-condition
        (request: services.tasks.family.Fetch)."""
        url = channel.base_url + request.path
        if request.method == "GET":
            return json_answer(get(url, _headers(channel), timeouts))
        return _json_or_list(post(url, request.body or {}, _headers(channel), timeouts, stream=False))

    def download(self, channel, location: str, timeouts: Timeouts):
        """An image, unread: a path under the channel (sent with its key) or
        the provider's own URL, a CDN's (sent without it)."""
        if location.startswith("/"):
            return get(channel.base_url + location, _headers(channel), timeouts, stream=True)
        return get(location, {"User-Agent": http.USER_AGENT}, timeouts, stream=True)

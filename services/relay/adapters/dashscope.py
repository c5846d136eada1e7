"""Alibaba Cloud DashScope's asynchronous API (Qwen-Image, Wanx text to
image): the channel's base URL is https://dashscope.aliyuncs.com/api/v1 (or
the international dashscope-intl host), the key a Bearer token. A submit
carries `X-DashScope-Async: enable` and answers with a task id; the task is
read with GET /tasks/{id}; its images are at the provider's own (signed,
expiring) URLs, fetched without the key."""
from __future__ import annotations

from services.relay.adapters.base import Timeouts
from services.relay.adapters.suno import bearer, download
from services.relay.adapters.transport import get, json_answer, post

PATHS = {"dashscope.images": "/services/aigc/text2image/image-synthesis"}
ASYNC = {"X-DashScope-Async": "enable"}


class DashScopeAdapter:
    kind = "dashscope"
    can_send = frozenset(PATHS)

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None, files: list | None = None):
        url = channel.base_url + (path or PATHS[dialect])
        return json_answer(post(url, body, bearer(channel, ASYNC), timeouts, stream=False))

    def fetch(self, channel, request, timeouts: Timeouts) -> dict:
        return json_answer(get(channel.base_url + request.path, bearer(channel), timeouts))

    def download(self, channel, location: str, timeouts: Timeouts):
        return download(channel, location, timeouts)

"""Jimeng upstreams (ByteDance's Volcengine visual API, CV "Sync2Async"
tasks, and relays that copy it, new-api among them). The channel's base URL
is the API's root, e.g. https://visual.volcengineapi.com (a relay's:
https://relay.example.com/jimeng); submits are POST
/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31, polls POST
/?Action=CVSync2AsyncGetResult&Version=2022-08-31.

The channel's key is "ACCESS_KEY_ID|SECRET_ACCESS_KEY": every request is
signed with Volcengine's HMAC-SHA256 signature (service cv, region
cn-north-1; see `sign`). A key without "|" is sent as a plain Bearer token
(a relay's own key, as new-api's Jimeng channels send an sk- key)."""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote, urlsplit

import orjson

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts, UpstreamError
from services.relay.adapters.transport import get, json_answer, send

VERSION = "2022-08-31"
SUBMIT = f"/?Action=CVSync2AsyncSubmitTask&Version={VERSION}"
RESULT = f"/?Action=CVSync2AsyncGetResult&Version={VERSION}"
PATHS = {"jimeng": SUBMIT}
REGION, SERVICE = "cn-north-1", "cv"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _escape(text: str) -> str:
    return quote(text, safe="-_.~")


def sign(method: str, url: str, payload: bytes, headers: dict, access: str, secret: str,
         now: float | None = None) -> dict:
    """`headers` with Volcengine's signature added (X-Date, X-Content-Sha256,
    Authorization): a canonical request of the method, path, sorted query,
    the signed headers (content-type, host, x-content-sha256, x-date) and
    the body's SHA-256, signed with a key derived from the secret through
    the date, region, service and "request"."""
    moment = time.gmtime(now if now is not None else time.time())
    x_date, day = time.strftime("%Y%m%dT%H%M%SZ", moment), time.strftime("%Y%m%d", moment)
    parts = urlsplit(url)
    body_hash = hashlib.sha256(payload).hexdigest()
    query = "&".join(f"{_escape(k)}={_escape(v)}"
                     for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    signed = {"content-type": headers.get("Content-Type", ""), "host": parts.netloc,
              "x-content-sha256": body_hash, "x-date": x_date}
    names = ";".join(sorted(signed))
    canonical = "\n".join([method, parts.path or "/", query,
                           "".join(f"{name}:{signed[name].strip()}\n" for name in sorted(signed)),
                           names, body_hash])
    scope = f"{day}/{REGION}/{SERVICE}/request"
    to_sign = "\n".join(["HMAC-SHA256", x_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(secret.encode(), day), REGION), SERVICE), "request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {**headers, "X-Date": x_date, "X-Content-Sha256": body_hash,
            "Authorization": f"HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={names}, "
                             f"Signature={signature}"}


def _post(channel, path: str, body: dict, timeouts: Timeouts) -> dict:
    url = channel.base_url + path
    payload = orjson.dumps(body)  # the bytes signed are the bytes sent
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": http.USER_AGENT}
    access, sep, secret = (channel.api_key or "").partition("|")
    if sep:
        if not access.strip() or not secret.strip():
            raise UpstreamError(401, "the jimeng channel's key must be ACCESS_KEY_ID|SECRET_ACCESS_KEY")
        headers = sign("POST", url, payload, headers, access.strip(), secret.strip())
    elif channel.api_key:
        headers["Authorization"] = f"Bearer {channel.api_key.strip()}"
    return json_answer(send("POST", url, payload, headers, timeouts, stream=False))


class JimengAdapter:
    kind = "jimeng"
    can_send = frozenset(PATHS)

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None, path: str | None = None, files: list | None = None):
        return _post(channel, path or PATHS[dialect], body, timeouts)

    def fetch(self, channel, request, timeouts: Timeouts) -> dict:
        """A task's result (request: services.tasks.family.Fetch; always a signed POST)."""
        return _post(channel, request.path, request.body or {}, timeouts)

    def download(self, channel, location: str, timeouts: Timeouts):
        """A video from the provider's own URL (signed already, sent without the key)."""
        if location.startswith("/"):
            raise UpstreamError(404, "the provider gave no video URL")
        return get(location, {"User-Agent": http.USER_AGENT}, timeouts, stream=True)

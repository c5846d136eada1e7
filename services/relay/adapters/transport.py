"""POSTing a JSON body to an upstream and reading its answer or its SSE
blocks, with network failures turned into UpstreamError."""
from __future__ import annotations

import uuid

import orjson
from requests_toolbelt.multipart.encoder import MultipartEncoder

from services.relay.adapters import http
from services.relay.adapters.base import Timeouts, UpstreamError
from services.relay.sse import SSEBuffer

READ_SIZE = 65536


def multipart(fields: dict, files: list, headers: dict):
    """A factory of streaming multipart bodies (requests-toolbelt's
    MultipartEncoder reads each file as it is sent, so no second copy is
    built in memory); the headers get its type and length. List values
    become repeated fields; files are (field, filename, file object,
    content type), rewound for each body made (a retry sends it again)."""
    parts = [(name, str(item)) for name, value in fields.items() if value is not None
             for item in (value if isinstance(value, (list, tuple)) else (value,))]
    boundary = uuid.uuid4().hex  # one for every body made: the headers name it

    def body():
        for _name, _filename, handle, _ctype in files:
            handle.seek(0)
        return MultipartEncoder(parts + [(name, (filename, handle, ctype)) for name, filename, handle, ctype in files],
                                boundary=boundary)

    first = body()
    headers.update({"Content-Type": first.content_type, "Content-Length": str(first.len)})
    return body


def post(url: str, body: dict, headers: dict, timeouts: Timeouts, *, stream: bool, files: list | None = None):
    """The upstream's 200 response (unread when streaming); any other status
    raises UpstreamError with the provider's message (raw: the relay
    sanitises it). With `files`, `body` holds the form fields and the
    request is multipart."""
    if files is None:
        payload = orjson.dumps(body)
    else:
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        payload = multipart(body, files, headers)
    return send("POST", url, payload, headers, timeouts, stream=stream)


def get(url: str, headers: dict, timeouts: Timeouts, *, stream: bool = False):
    """A GET (a task's status, its content): the same rules as `post`."""
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return send("GET", url, None, headers, timeouts, stream=stream)


def send(method: str, url: str, payload, headers: dict, timeouts: Timeouts, *, stream: bool):
    try:
        response = http.request(method, url, body=payload, headers=headers, stream=stream,
                                connect_timeout=timeouts.connect, read_timeout=timeouts.first_byte,
                                policy=timeouts.policy)
    except http.BlockedAddress as exc:
        raise UpstreamError(None, "the upstream address is not allowed", blocked=True) from exc
    except http.NewConnectionError as exc:  # urllib3 files it under timeouts; it is a refusal
        raise UpstreamError(None, "the upstream could not be reached") from exc
    except http.UrllibTimeout as exc:
        raise UpstreamError(None, "the upstream did not answer in time", timeout=True) from exc
    except http.HTTPError as exc:
        raise UpstreamError(None, "the upstream could not be reached") from exc
    if response.status != 200:
        try:
            text = (response.read(8192) if stream else response.data).decode("utf-8", "replace")
        except http.HTTPError:
            text = ""
        finally:
            http.close(response)
        raise UpstreamError(response.status, error_message(text) or f"HTTP {response.status}",
                            retry_after=http.retry_after(response))
    if stream and timeouts.idle:
        http.set_idle_timeout(response, timeouts.idle)
    return response


class TextAnswer(dict):
    """A 200 answer that is not JSON (text, srt, vtt transcripts): `text`
    holds it decoded, `raw` and `content_type` as they came."""

    def __init__(self, raw: bytes, content_type: str):
        super().__init__(text=raw.decode("utf-8", "replace"))
        self.raw = raw
        self.content_type = content_type


def json_answer(response, *, text_allowed: bool = False) -> dict:
    content_type = response.headers.get("Content-Type") or ""
    if text_allowed and "json" not in content_type.lower():
        return TextAnswer(response.data, content_type or "text/plain")
    try:
        answer = orjson.loads(response.data)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError(502, "the upstream sent an unreadable answer") from exc
    if not isinstance(answer, dict):
        raise UpstreamError(502, "the upstream sent an unreadable answer")
    return answer


def error_message(text: str) -> str:
    """The message inside a provider's JSON error body, or the raw text."""
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err)
        return str(err)
    return text


def body_chunks(response):
    """The response body as it arrives (read1 returns what is there;
    nothing is held back). Network failures become UpstreamError."""
    read = http.body_reader(response)
    while True:
        try:
            data = read(READ_SIZE)
        except http.READ_TIMEOUTS as exc:
            raise UpstreamError(None, "the upstream stopped sending", timeout=True) from exc
        except http.READ_ERRORS as exc:
            raise UpstreamError(None, "the upstream stream broke off") from exc
        if not data:
            return
        yield data


def sse_blocks(response):
    """The response's SSE event blocks, each as soon as its last byte
    arrives, the last unterminated one included."""
    buffer = SSEBuffer()
    for data in body_chunks(response):
        yield from buffer.feed(data)
    rest = buffer.flush()
    if rest:
        yield rest

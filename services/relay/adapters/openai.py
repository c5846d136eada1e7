"""OpenAI-compatible upstreams (OpenAI, DeepSeek, Qwen/DashScope compatible
mode, OpenRouter, vLLM, ...). The channel's base URL is what an SDK would
take, e.g. https://api.deepseek.com/v1."""
from __future__ import annotations

import orjson

from services.relay.adapters import http
from services.relay.adapters.base import StreamEvent, Timeouts, UpstreamError
from services.relay.sse import SSEBuffer, parse_event

READ_SIZE = 65536
DONE = b"data: [DONE]\n\n"


def _headers(channel, stream: bool) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": http.USER_AGENT}
    if channel.api_key:
        headers["Authorization"] = f"Bearer {channel.api_key}"
    if stream:
        headers["Accept"] = "text/event-stream"
        headers["Accept-Encoding"] = "identity"  # compression would hold chunks back
    return headers


def post(channel, path: str, body: dict, timeouts: Timeouts, *, stream: bool, headers: dict | None = None):
    """POST to the channel; a non-200 answer raises UpstreamError with the
    provider's message (raw; the relay sanitises it)."""
    try:
        response = http.request("POST", channel.base_url + path, body=orjson.dumps(body),
                                headers=headers or _headers(channel, stream), stream=stream,
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
            response.close()
        raise UpstreamError(response.status, error_message(text) or f"HTTP {response.status}",
                            retry_after=http.retry_after(response))
    if stream and timeouts.idle:
        http.set_idle_timeout(response, timeouts.idle)
    return response


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


def sse_blocks(response):
    """The response's SSE event blocks, each as soon as its last byte
    arrives (read1 returns what is there; nothing is held back), the last
    unterminated one included. Network failures become UpstreamError."""
    buffer = SSEBuffer()
    read = response.read1
    while True:
        try:
            data = read(READ_SIZE)
        except http.UrllibTimeout as exc:
            raise UpstreamError(None, "the upstream stopped sending", timeout=True) from exc
        except (http.HTTPError, OSError) as exc:
            raise UpstreamError(None, "the upstream stream broke off") from exc
        if not data:
            break
        yield from buffer.feed(data)
    rest = buffer.flush()
    if rest:
        yield rest


class OpenAIStream:
    """The upstream's chunks; a final StreamEvent with chunk None for [DONE]."""

    def __init__(self, response):
        self.response = response
        self.finished = False  # saw [DONE]

    def __iter__(self):
        for block in sse_blocks(self.response):
            event = self._event(block)
            if event is not None:
                yield event
                if event.chunk is None:
                    self.finished = True
                    return

    @staticmethod
    def _event(block: bytes) -> StreamEvent | None:
        _name, data = parse_event(block)
        if data is None:
            return None  # keep-alive comment
        if data.strip() == "[DONE]":
            return StreamEvent(None, DONE)
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        if isinstance(chunk, dict) and chunk.get("error") and not chunk.get("choices"):
            raise UpstreamError(502, error_message(data))
        return StreamEvent(chunk, block)

    def abort(self) -> None:
        http.abort_response(self.response)

    def close(self) -> None:
        if self.finished:  # the last event came: the connection may be reusable
            http.finish(self.response)
        else:
            http.close(self.response)


class OpenAIAdapter:
    def complete(self, channel, body: dict, timeouts: Timeouts) -> dict:
        response = post(channel, "/chat/completions", body, timeouts, stream=False)
        try:
            result = orjson.loads(response.data)
        except orjson.JSONDecodeError as exc:
            raise UpstreamError(502, "the upstream sent an unreadable answer") from exc
        if not isinstance(result, dict):
            raise UpstreamError(502, "the upstream sent an unreadable answer")
        return result

    def stream(self, channel, body: dict, timeouts: Timeouts) -> OpenAIStream:
        return OpenAIStream(post(channel, "/chat/completions", body, timeouts, stream=True))

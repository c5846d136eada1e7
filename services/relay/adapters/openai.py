"""OpenAI-compatible upstreams (OpenAI, DeepSeek, Qwen/DashScope compatible
mode, OpenRouter, vLLM, ...). The channel's base URL is what an SDK would
take, e.g. https://api.deepseek.com/v1."""
from __future__ import annotations

import orjson
import requests

from services.relay.adapters.base import StreamEvent, Timeouts, UpstreamError
from services.relay.adapters.http import USER_AGENT, abort_response, retry_after, session
from services.relay.sse import SSEBuffer, parse_event

READ_SIZE = 65536
DONE = b"data: [DONE]\n\n"


def _headers(channel, stream: bool) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if channel.api_key:
        headers["Authorization"] = f"Bearer {channel.api_key}"
    if stream:
        headers["Accept"] = "text/event-stream"
        headers["Accept-Encoding"] = "identity"  # compression would hold chunks back
    return headers


def post(channel, path: str, body: dict, timeouts: Timeouts, *, stream: bool,
         headers: dict | None = None) -> requests.Response:
    try:
        response = session().post(
            channel.base_url + path, data=orjson.dumps(body),
            headers=headers or _headers(channel, stream), stream=stream,
            timeout=(timeouts.connect, timeouts.read), allow_redirects=False,
        )
    except requests.Timeout as exc:
        raise UpstreamError(None, "the upstream did not answer in time", timeout=True) from exc
    except requests.RequestException as exc:
        raise UpstreamError(None, "the upstream could not be reached") from exc
    if response.status_code != 200:
        try:
            text = response.text[:4000]
        except requests.RequestException:
            text = ""
        finally:
            response.close()
        raise UpstreamError(response.status_code, error_message(text) or f"HTTP {response.status_code}",
                            retry_after=retry_after(response))
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


class OpenAIStream:
    """Yields each upstream SSE event as soon as its last byte arrives."""

    def __init__(self, response: requests.Response, timeouts: Timeouts):
        self.response = response
        self.finished = False  # saw [DONE]

    def __iter__(self):
        buffer = SSEBuffer()
        raw = self.response.raw
        while True:
            try:
                data = raw.read1(READ_SIZE)
            except Exception as exc:  # urllib3 raises several kinds on a dropped or stalled socket
                timeout = "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower()
                raise UpstreamError(None, "the upstream stream broke off", timeout=timeout) from exc
            if not data:
                break
            for block in buffer.feed(data):
                event = self._event(block)
                if event is not None:
                    yield event
                    if event.chunk is None:
                        self.finished = True
                        return
        rest = buffer.flush()
        if rest:
            event = self._event(rest)
            if event is not None:
                yield event
                self.finished = event.chunk is None

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
        abort_response(self.response)

    def close(self) -> None:
        self.response.close()


class OpenAIAdapter:
    def complete(self, channel, body: dict, timeouts: Timeouts) -> dict:
        response = post(channel, "/chat/completions", body, timeouts, stream=False)
        try:
            result = orjson.loads(response.content)
        except (orjson.JSONDecodeError, requests.RequestException) as exc:
            raise UpstreamError(502, "the upstream sent an unreadable answer") from exc
        if not isinstance(result, dict):
            raise UpstreamError(502, "the upstream sent an unreadable answer")
        return result

    def stream(self, channel, body: dict, timeouts: Timeouts) -> OpenAIStream:
        return OpenAIStream(post(channel, "/chat/completions", body, timeouts, stream=True), timeouts)

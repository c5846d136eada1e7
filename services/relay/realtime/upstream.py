"""The upstream side of a realtime session: a WebSocket client
(websocket-client, which runs on gevent's patched sockets) to the channel's
`/realtime?model=...`, with the channel's key as Bearer.

The TCP connection is made here, to an address the SSRF policy vetted (the
same rule as the HTTP adapters: private and reserved addresses only when
allow-listed, checked again on every connection), and handed to
websocket-client already open, TLS included for wss."""
from __future__ import annotations

import socket
import ssl
from urllib.parse import quote, urlsplit, urlunsplit

import websocket

from services.catalog.snapshot import ChannelInfo
from services.relay.adapters.base import UpstreamError
from services.ssrf import UpstreamBlocked, allowed_addresses

TEXT, BINARY = websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY
Closed = websocket.WebSocketConnectionClosedException


def realtime_url(base_url: str, upstream_model: str) -> str:
    """The channel's base URL with http -> ws, https -> wss, plus
    `/realtime?model=<upstream name>`."""
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme)
    if scheme is None:
        raise UpstreamError(None, "the channel's base URL is not http(s)", blocked=True)
    path = parts.path.rstrip("/") + "/realtime"
    return urlunsplit((scheme, parts.netloc, path, f"model={quote(upstream_model, safe='')}", ""))


def _open_socket(url: str, timeouts) -> socket.socket:
    parts = urlsplit(url)
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    try:
        addresses = allowed_addresses(parts.hostname or "", port, timeouts.policy)
    except UpstreamBlocked as exc:
        raise UpstreamError(None, "the upstream address is not allowed", blocked=True) from exc
    error = None
    for *_family, sockaddr in addresses:
        try:
            sock = socket.create_connection((sockaddr[0], port), timeout=timeouts.connect)
            break
        except OSError as exc:
            error = exc
    else:
        raise UpstreamError(None, f"the upstream could not be reached ({error.__class__.__name__})")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if secure:
        try:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            raise UpstreamError(None, "the upstream's TLS handshake failed") from exc
    return sock


def connect(channel: ChannelInfo, model_id: str, headers: dict | None = None) -> websocket.WebSocket:
    """An open session with the channel's realtime endpoint. UpstreamError
    (as the HTTP adapters raise it, so routing books it the same way) when
    it is refused, unreachable or too slow."""
    url = realtime_url(channel.base_url, channel.upstream_name(model_id))
    timeouts = channel.timeouts
    sock = _open_socket(url, timeouts)
    header = [f"Authorization: Bearer {channel.api_key}", "User-Agent: Tollgate/1.0"]
    header += [f"{name}: {value}" for name, value in (headers or {}).items()]
    ws = websocket.WebSocket(enable_multithread=True, skip_utf8_validation=True)
    try:
        ws.connect(url, header=header, socket=sock, timeout=timeouts.first_byte, suppress_origin=True)
    except websocket.WebSocketBadStatusException as exc:
        sock.close()
        body = exc.resp_body.decode("utf-8", "replace")[:500] if isinstance(exc.resp_body, bytes) else ""
        raise UpstreamError(exc.status_code, body or f"HTTP {exc.status_code}") from None
    except websocket.WebSocketTimeoutException:
        sock.close()
        raise UpstreamError(None, "the upstream did not answer in time", timeout=True) from None
    except (OSError, websocket.WebSocketException) as exc:
        sock.close()
        raise UpstreamError(None, f"the upstream could not be reached ({exc.__class__.__name__})") from None
    ws.settimeout(None)  # a session may be silent for long; the pump decides when it ends
    return ws

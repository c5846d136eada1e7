"""One pooled HTTP client per worker process for all upstream calls.

This is urllib3, the transport underneath requests, used directly: the relay
makes one call per client request and requests' session layer (hooks, cookie
jar, environment merging) measured ~0.5 ms of pure overhead per call on this
path (docs/benchmarks.md)."""
from __future__ import annotations

import socket

import urllib3
from urllib3.exceptions import HTTPError, TimeoutError as UrllibTimeout

USER_AGENT = "Tollgate/1.0"

_pool: urllib3.PoolManager | None = None


def pool() -> urllib3.PoolManager:
    global _pool  # a connection pool, created lazily after the worker forks
    if _pool is None:
        # Big enough for many concurrent streams to one provider; extra
        # connections beyond maxsize are made and discarded, never waited for.
        _pool = urllib3.PoolManager(num_pools=64, maxsize=512, block=False, retries=False)
    return _pool


def request(method: str, url: str, *, body: bytes | None, headers: dict, connect_timeout: float,
            read_timeout: float, stream: bool) -> urllib3.BaseHTTPResponse:
    """Raises urllib3's HTTPError family on network failures (TimeoutError
    for timeouts); callers translate them."""
    return pool().request(method, url, body=body, headers=headers, preload_content=not stream,
                          timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
                          redirect=False, retries=False)


def retry_after(response) -> int | None:
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def abort_response(response) -> None:
    """Shut the socket under a streaming response down, from any greenlet:
    a read blocked on it returns at once."""
    try:
        sock = getattr(response.connection, "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


__all__ = ["HTTPError", "UrllibTimeout", "USER_AGENT", "abort_response", "pool", "request", "retry_after"]

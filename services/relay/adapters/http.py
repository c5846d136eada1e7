"""One pooled HTTP client per worker process for all upstream calls."""
from __future__ import annotations

import socket

import requests
from requests.adapters import HTTPAdapter

_session: requests.Session | None = None

USER_AGENT = "Tollgate/1.0"


def session() -> requests.Session:
    global _session  # a connection pool, created lazily after the worker forks
    if _session is None:
        s = requests.Session()
        s.trust_env = False  # never pick up proxies or .netrc from the environment
        # Big enough for many concurrent streams to one provider; requests'
        # default of 10 discards connections under load (gevent#355).
        adapter = HTTPAdapter(pool_connections=32, pool_maxsize=512, max_retries=0)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        _session = s
    return _session


def retry_after(response: requests.Response) -> int | None:
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def abort_response(response: requests.Response) -> None:
    """Shut the socket under a streaming response down, from any greenlet:
    a read blocked on it returns at once."""
    try:
        conn = response.raw.connection
        sock = getattr(conn, "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass

"""One pooled HTTP client per worker process for all upstream calls.

This is urllib3, the transport underneath requests, used directly: the relay
makes one call per client request and requests' session layer (hooks, cookie
jar, environment merging) measured ~0.5 ms of pure overhead per call on this
path (docs/benchmarks.md).

Every new connection goes through the SSRF policy: the host is resolved, each
address vetted, and the socket connects to a vetted address."""
from __future__ import annotations

import socket

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError as UrllibTimeout
from urllib3.util.connection import create_connection

from services.ssrf import Policy, UpstreamBlocked, allowed_addresses

USER_AGENT = "Tollgate/1.0"

_pools: dict[Policy, urllib3.PoolManager] = {}


def _use_plain_poll_for_liveness_checks() -> None:
    """urllib3 polls a pooled connection (timeout 0) before reusing it.
    Under gevent that poll goes through the hub and cost ~6% of a worker's
    CPU per relayed call (py-spy); a zero-timeout poll never blocks, so the
    unpatched one is safe and cheap."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover
        return
    if not monkey.is_module_patched("select"):
        return
    import urllib3.connection
    from urllib3.util import wait

    plain_poll = monkey.get_original("select", "poll")

    def wait_for_read(sock, timeout=None):
        if timeout != 0.0:
            return wait.wait_for_read(sock, timeout=timeout)
        poller = plain_poll()
        poller.register(sock, 1)  # POLLIN
        return bool(poller.poll(0))

    urllib3.connection.wait_for_read = wait_for_read


class BlockedAddress(NewConnectionError):
    """A connection the SSRF policy refused."""


def _vetted(base):
    class Vetted(base):
        policy: Policy = Policy()

        def _new_conn(self) -> socket.socket:
            try:
                addresses = allowed_addresses(self._dns_host, self.port, self.policy)
            except UpstreamBlocked as exc:
                raise BlockedAddress(self, str(exc)) from None
            error = None
            for *_family, sockaddr in addresses:
                try:
                    return create_connection((sockaddr[0], self.port), self.timeout,
                                             source_address=self.source_address,
                                             socket_options=self.socket_options)
                except OSError as exc:
                    error = exc
            raise NewConnectionError(self, f"failed to connect: {error}")

    return Vetted


def _pool_manager(policy: Policy) -> urllib3.PoolManager:
    http_conn = type("PolicyHTTPConnection", (_vetted(HTTPConnection),), {"policy": policy})
    https_conn = type("PolicyHTTPSConnection", (_vetted(HTTPSConnection),), {"policy": policy})
    http_pool = type("PolicyHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("PolicyHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    # Big enough for many concurrent streams to one provider; extra
    # connections beyond maxsize are made and discarded, never waited for.
    manager = urllib3.PoolManager(num_pools=64, maxsize=512, block=False, retries=False)
    manager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
    return manager


def pool(policy: Policy) -> urllib3.PoolManager:
    manager = _pools.get(policy)
    if manager is None:  # created lazily, after the worker forks
        if not _pools:
            _use_plain_poll_for_liveness_checks()
        manager = _pools[policy] = _pool_manager(policy)
    return manager


def request(method: str, url: str, *, body: bytes | None, headers: dict, connect_timeout: float,
            read_timeout: float, stream: bool, policy: Policy) -> urllib3.BaseHTTPResponse:
    """Raises urllib3's HTTPError family on network failures (TimeoutError
    for timeouts, BlockedAddress for refused addresses); callers translate
    them. Redirects are returned, never followed."""
    return pool(policy).request(method, url, body=body, headers=headers, preload_content=not stream,
                                timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
                                redirect=False, retries=False)


def retry_after(response) -> int | None:
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def set_idle_timeout(response, seconds: float) -> None:
    """After the first byte, reads wait at most `seconds` for the next."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(seconds)


def abort_response(response) -> None:
    """Shut the socket under a streaming response down, from any greenlet:
    a read blocked on it returns at once."""
    try:
        sock = getattr(response.connection, "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


__all__ = ["BlockedAddress", "HTTPError", "NewConnectionError", "UrllibTimeout", "USER_AGENT", "abort_response", "pool",
           "request", "retry_after", "set_idle_timeout"]

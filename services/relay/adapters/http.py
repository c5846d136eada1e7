"""One pooled HTTP client per worker process for all upstream calls.

This is urllib3, the transport underneath requests, used directly: the relay
makes one call per client request and requests' session layer (hooks, cookie
jar, environment merging) measured ~0.5 ms of pure overhead per call on this
path (docs/benchmarks.md).

Every new connection goes through the SSRF policy: the host is resolved, each
address vetted, and the socket connects to a vetted address."""
from __future__ import annotations

import http.client
import socket
import time

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, TimeoutError as UrllibTimeout
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


class StaleConnection(ConnectionError):
    """A reused keep-alive connection failed before any byte of the answer
    arrived: the server had closed it while it sat idle in the pool. Nothing
    reached the upstream's application, so the call is safe to send again."""


# What a connection the server has already closed looks like when its answer
# is read: a reset, or the end of the stream before a single byte of the
# status line. (urllib3 itself swallows a broken pipe while sending, since
# the server may have answered before closing.)
_STALE_ERRORS = (ConnectionResetError, ConnectionAbortedError, http.client.RemoteDisconnected)


def _vetted(base):
    class Vetted(base):
        policy: Policy = Policy()
        uses = 0  # requests sent on this connection; more than one means it came from the pool

        def request(self, *args, **kwargs):
            self.uses += 1
            return super().request(*args, **kwargs)

        def getresponse(self):
            try:
                return super().getresponse()
            except _STALE_ERRORS as exc:
                if self.uses > 1:
                    raise StaleConnection(str(exc)) from exc
                raise

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


def request(method: str, url: str, *, body, headers: dict, connect_timeout: float,
            read_timeout: float, stream: bool, policy: Policy) -> urllib3.BaseHTTPResponse:
    """Raises urllib3's HTTPError family on network failures (TimeoutError
    for timeouts, BlockedAddress for refused addresses); callers translate
    them. Redirects are returned, never followed.

    A call that fails on a stale pooled connection is sent once more on a
    fresh one, here, so the channel is never blamed for our pool's state.
    `body` is bytes, or a callable making a fresh streaming body for each try."""
    manager = pool(policy)
    make = body if callable(body) else None
    options = {"body": make() if make else body, "headers": headers, "preload_content": not stream, "redirect": False,
               "retries": False, "timeout": urllib3.Timeout(connect=connect_timeout, read=read_timeout)}
    try:
        return manager.request(method, url, **options)
    except ProtocolError as exc:
        if not any(isinstance(arg, StaleConnection) for arg in exc.args):
            raise
    # A pool of its own for the retry: the shared pool could hand out another
    # connection that went stale the same way (or one just put back).
    parsed = urllib3.util.parse_url(url)
    if make is not None:
        options["body"] = make()
    fresh = manager._new_pool(parsed.scheme, parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
    return fresh.urlopen(method, parsed.request_uri, **options)


# How much of a finished stream's tail (the chunked terminator, trailing
# bytes) we read to put its connection back in the pool; past this we close.
FINISH_BYTES = 65536
FINISH_SECONDS = 1.0


def finish(response) -> None:
    """Done with a response: return its connection to the pool only if the
    body has been read to its very end, else close it. A stream whose last
    event has arrived may still have its terminating chunk in flight, so
    what is left is read first, bounded in bytes and time. A connection
    handed back unfinished would be given to the next request while the old
    answer is still on it (urllib3's ResponseNotReady)."""
    try:
        if not response.isclosed():
            deadline = time.monotonic() + FINISH_SECONDS
            left = FINISH_BYTES
            sock = getattr(getattr(response, "connection", None), "sock", None)
            while left > 0 and not response.isclosed():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or sock is None:
                    break
                sock.settimeout(remaining)
                data = response.read1(min(left, 16384))
                if not data:
                    break
                left -= len(data)
        if response.isclosed() and response.connection is not None:
            response.release_conn()
            return
    except (HTTPError, OSError, ValueError, RuntimeError):
        pass
    close(response)


def close(response) -> None:
    """Drop a response and its connection; never raises."""
    try:
        response.close()
    except Exception:  # a socket already shut down from another greenlet
        pass


def retry_after(response) -> int | None:
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


# What reading a streaming body can raise, urllib3's or http.client's way;
# the first are timeouts (socket.timeout is an OSError, so it is looked for first).
READ_TIMEOUTS = (UrllibTimeout, TimeoutError)
READ_ERRORS = (HTTPError, http.client.HTTPException, OSError, ValueError)


def body_reader(response):
    """The read1 to read a streaming response's body as it arrives with:
    http.client's, under urllib3's, when the body needs no decoding. urllib3's
    read1 adds its error catcher (a context manager) and decoded-buffer
    checks to every read, about 0.2 ms of a 20-chunk stream's CPU; a body
    with a Content-Encoding goes through it, to be decoded. Either raises one
    of READ_TIMEOUTS or READ_ERRORS when the network fails."""
    plain = getattr(response, "_fp", None)
    if isinstance(plain, http.client.HTTPResponse) and not response.headers.get("Content-Encoding"):
        return plain.read1
    return response.read1


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


__all__ = ["BlockedAddress", "HTTPError", "NewConnectionError", "READ_ERRORS", "READ_TIMEOUTS", "StaleConnection",
           "UrllibTimeout", "USER_AGENT", "abort_response", "body_reader", "close", "finish", "pool", "request",
           "retry_after", "set_idle_timeout"]

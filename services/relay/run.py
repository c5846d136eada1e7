"""Running a prepared call against its upstream and settling it.

Whatever happens (success, upstream error, timeout, client disconnect, a bug)
the hold is settled exactly once in `finally`: real usage when the upstream
reported it, else a local estimate of the prompt and of what was relayed."""
from __future__ import annotations

import logging
import time
from typing import Iterator

from flask import Flask

from services import metrics
from services.billing import ledger
from services.relay import limits, routing
from services.relay.adapters.base import StreamEvent, UpstreamError
from services.relay.call import RelayCall
from services.relay.client_watch import watch_client
from services.relay.dialects import dialect
from services.relay.errors import RelayError
from services.relay.meter import Meter
from services.relay.pings import PING, with_pings
from services.relay.sanitize import sanitize

log = logging.getLogger("tollgate.relay")


def relay_error(call: RelayCall, exc: UpstreamError) -> RelayError:
    """An upstream failure as the client should see it: sanitised, and
    blaming the client only for what was the client's fault."""
    channel = call.channel
    detail = sanitize(exc.message, (channel.api_key, channel.base_url))
    if exc.status is None:
        what = "timed out" if exc.timeout else "could not be reached"
        return RelayError(502, "provider_error", f"The upstream provider {what}.")
    if exc.status in (400, 422):
        return RelayError(400, "invalid_request", f"The upstream provider rejected the request: {detail}")
    if exc.status == 413:
        return RelayError(413, "request_too_large", f"The upstream provider says: {detail}")
    if exc.status == 429:
        return RelayError(429, "rate_limited", "The upstream provider is rate limiting; retry later.",
                          retry_after=exc.retry_after or 1)
    if exc.status in (503, 529):
        return RelayError(503, "provider_error", "The upstream provider is overloaded; retry later.",
                          retry_after=exc.retry_after)
    return RelayError(502, "provider_error", f"The upstream provider failed (HTTP {exc.status}): {detail}")


def settle(call: RelayCall, meter: Meter | None) -> int:
    """Charge for what was used and write the request log; once per call."""
    if call.settled:
        return call.cost or 0
    call.settled = True
    usage = call.billable(meter) if meter is not None else None
    cost = call.cost_of(usage) if usage is not None else 0
    record = {
        "request_id": call.request_id, "account_id": call.key.account_id, "key_id": call.key.id,
        "door": call.door.name, "model": call.model.id, "upstream_model": call.upstream_body.get("model"),
        "channel_id": call.channel.id, "stream": call.stream, "status": call.status,
        "error_code": call.error_code,
        "latency_ms": int((time.perf_counter() - call.started) * 1000),
        "ttft_ms": meter.ttft_ms if meter is not None else None,
        "prompt_tokens": usage.prompt_tokens if usage else 0,
        "completion_tokens": usage.completion_tokens if usage else 0,
        "cached_tokens": usage.cached_tokens if usage else 0,
        "estimated": bool(usage and usage.estimated),
        "client_ip": call.client.ip, "user_agent": (call.client.user_agent or "")[:255],
    }
    try:
        call.cost = ledger.settle(call.key.account_id, call.key.id, call.hold, cost, call.request_id, record)
    finally:
        limits.release_slot(call.key, call.slot_held)
        call.slot_held = False
        routing.release(call.route)  # no-op once success or failure was booked
    limits.record_tokens(call.key, usage)
    metrics.observe_request(record, call.cost, call.key)
    return call.cost


def _fail(call: RelayCall, exc: UpstreamError) -> RelayError:
    error = relay_error(call, exc)
    call.status, call.error_code = error.status, error.code
    return error


def _attempt(call: RelayCall, send):
    """Run `send` on the call's channel, failing over to the next healthy
    one while nothing has reached the client: after connection failures,
    timeouts before the first byte, 5xx, 429 and refused channel keys. The
    client's own errors are never retried. Raises the last error as a
    RelayError."""
    while True:
        try:
            result = send()
        except UpstreamError as exc:
            routing.failed(call.route, exc)
            if exc.kind != "client" and routing.next_channel(call.route) is not None:
                log.info("request %s: failing over to channel %s after %s", call.request_id,
                         call.channel.name, exc.status or ("timeout" if exc.timeout else "a network error"))
                call.use(call.channel)
                continue
            if exc.status is None:  # the client sees only "could not be reached": say why, for the operator
                log.warning("request %s: channel %s: %s (%r)", call.request_id, call.channel.name, exc.message,
                            exc.__cause__)
            raise _fail(call, exc) from None
        return result


def _send(call: RelayCall, *, stream: bool):
    upstream = call.upstream
    extra = {}
    if upstream.path is not None:
        extra["path"] = upstream.path
    if upstream.files is not None:
        extra["files"] = upstream.files
    return call.adapter.send(call.channel, upstream.dialect, upstream.body, call.timeouts, stream=stream,
                             headers=upstream.headers, **extra)


def _meter(call: RelayCall) -> Meter:
    """A meter that reads what the upstream says, in the upstream's dialect."""
    return Meter(call.started, dialect(call.upstream.dialect))


def complete(call: RelayCall) -> tuple[dict, Meter]:
    """A non-streaming call. Returns the answer in the door's dialect and
    the meter it was billed on (call.cost holds the credits)."""
    meter = None  # nothing delivered, nothing charged, unless an answer arrives
    try:
        answer = _attempt(call, lambda: _send(call, stream=False))
        routing.succeeded(call.route)
        meter = _meter(call)
        meter.observe_answer(answer)
        return call.client_answer(answer), meter
    except RelayError:
        raise
    except BaseException:
        meter, call.status, call.error_code = None, 500, "internal_error"
        raise
    finally:
        settle(call, meter)


def open_stream(call: RelayCall):
    """Connect to the upstream for a streaming call (failing over while no
    byte has been relayed). Errors settle the call at zero cost and raise a
    RelayError."""
    try:
        return _attempt(call, lambda: _send(call, stream=True))
    except RelayError:
        settle(call, None)
        raise
    except BaseException:
        call.status, call.error_code = 500, "internal_error"
        settle(call, None)
        raise


class StreamWriter:
    """What a door supplies to write events of its dialect to its client.
    Events that end the stream are held back and written by end(), which
    the relay calls only once the call is settled."""

    def start(self) -> bytes | None: ...
    def event(self, event: StreamEvent, meter: Meter) -> bytes | None: ...
    def ping(self) -> bytes: ...
    def end(self, meter: Meter) -> bytes: ...
    def error(self, error: RelayError) -> bytes: ...


def relay_stream(app: Flask, call: RelayCall, upstream, writer: StreamWriter,
                 client_socket=None) -> Iterator[bytes]:
    """Relay an open upstream stream to the client one event at a time:
    each upstream event is metered in the upstream's dialect, then
    translated (or passed through) into the door's and written."""
    meter = _meter(call)
    translator = call.translator()
    events = with_pings(upstream, app.config["STREAM_PING_SECONDS"])

    def client_gone():
        call.client_gone = True
        upstream.abort()

    def written(client_events) -> bytes:
        return b"".join(filter(None, (writer.event(e, meter) for e in client_events)))

    watcher = watch_client(client_socket, client_gone)
    finished = False
    out = b""
    try:
        head = (writer.start() or b"") + written(translator.start())
        if head:
            yield head
        for event in events:
            if event is PING:
                yield written(translator.ping()) or writer.ping()
                continue
            if event.chunk is not None:
                meter.observe(event.chunk)
            out = written(translator.feed(event))
            if event.last:
                finished = True
                break
            if out:
                yield out
        if call.client_gone:
            call.status, call.error_code = 499, "client_disconnected"
        elif not finished and meter.finish_reason is None:
            raise UpstreamError(502, "the upstream stream ended before it was complete")
        else:
            if not finished:  # ended after its finish reason, without a terminal event
                out = written(translator.finish())
            # Settle before the last bytes: a client that has read the
            # terminal event finds its balance already final.
            with app.app_context():
                routing.succeeded(call.route)
                settle(call, meter)
            tail = out + writer.end(meter)
            final = getattr(writer, "final", None)
            if call.on_answer is not None and final is not None:
                with app.app_context():
                    call.on_answer(final)
            if tail:
                yield tail
    except UpstreamError as exc:
        if call.client_gone:
            call.status, call.error_code = 499, "client_disconnected"
        else:
            error = _fail(call, exc)
            log.warning("request %s: upstream stream failed: %s", call.request_id, error.message)
            with app.app_context():
                routing.failed(call.route, exc)  # no retry: bytes already reached the client
                settle(call, meter)  # billed for what was relayed
            yield writer.error(error)
    except GeneratorExit:
        call.client_gone = True
        call.status, call.error_code = 499, "client_disconnected"
        raise
    except Exception:
        call.status, call.error_code = 500, "internal_error"
        log.exception("request %s: relay failed", call.request_id)
        raise
    finally:
        _end_stream(app, call, meter, upstream, events, watcher, complete=finished)


def _end_stream(app: Flask, call: RelayCall, meter: Meter, upstream, events, watcher, *,
                complete: bool) -> None:
    """Every way out of a stream: stop the watcher and the ping reader,
    recycle or drop the upstream connection, and settle exactly once,
    whatever the cleanup raises (a client going away is no error)."""
    try:
        if watcher is not None:
            watcher.kill(block=False)
        if call.client_gone or not complete:
            upstream.abort()  # unblocks a read in progress in the ping reader
        events.close()
        upstream.close()
    except Exception as exc:  # the socket may be half torn down by the abort
        log.info("request %s: closing the upstream stream: %s", call.request_id, exc.__class__.__name__)
    finally:
        if not call.settled:
            with app.app_context():
                settle(call, meter)

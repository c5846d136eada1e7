"""Prometheus metrics (the official prometheus-client).

Under gunicorn every worker counts in its own files under
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py makes and wipes that directory
when the master starts, and drops a dead worker's live gauges), and a
scrape of /metrics, whichever worker answers it, adds them all up.

Without PROMETHEUS_MULTIPROC_DIR (the Flask test client, the CLI, a bare
`flask run`) the metrics count in this process only and /metrics shows this
process's figures: nothing is lost or shared, nothing fails.

Two kinds of figures:
- counted as things happen: relay requests, errors, latency, time to first
  token, tokens, credits and open streams per door, model and channel (from
  the request-log record, see `observe_request` / `observe_refusal`), and
  payment notifies by outcome;
- read when scraped (`StateCollector`): breaker states, channel names, and
  the credit holds outstanding (reserved, never settled).

Recording never raises into the request path: a failure is logged and the
request goes on.

There is no task queue yet, so no queue-depth figure.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from datetime import timedelta

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest)
from prometheus_client.core import GaugeMetricFamily

from services import logs

log = logging.getLogger("tollgate.metrics")

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
CONTENT_TYPE = CONTENT_TYPE_LATEST
NO_CHANNEL = "none"        # refused before a channel was picked
UNKNOWN_MODEL = "unknown"  # refused for a model the catalog does not know (client text is never a label)

RELAY = ("door", "model", "channel")
# LLM calls take from a fraction of a second to minutes.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)
TTFT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60)

REQUESTS = Counter("tollgate_relay_requests", "Relay requests answered, by HTTP status.", RELAY + ("status",))
ERRORS = Counter("tollgate_relay_errors", "Relay requests that ended in an error, by error code.",
                 RELAY + ("code",))
LATENCY = Histogram("tollgate_relay_request_duration_seconds",
                    "Time from receiving a relay request to settling it (a stream: until it ends).",
                    RELAY, buckets=LATENCY_BUCKETS)
TTFT = Histogram("tollgate_relay_time_to_first_token_seconds",
                 "Streams only: time from receiving the request to the first token relayed.",
                 RELAY, buckets=TTFT_BUCKETS)
TOKENS = Counter("tollgate_relay_tokens", "Tokens billed, by kind (prompt, completion, cached).",
                 RELAY + ("kind",))
CREDITS = Counter("tollgate_relay_credits", "Credits charged for relay requests.", RELAY)
OPEN_STREAMS = Gauge("tollgate_relay_open_streams", "Streams being relayed right now.", ("door",),
                     multiprocess_mode="livesum")
LEDGER_BATCHES = Counter("tollgate_ledger_batches", "Transactions committed by the request path's group commit.")
LEDGER_WRITES = Counter("tollgate_ledger_batched_writes",
                        "Reservations, settlements and log rows those transactions carried.")
NOTIFIES = Counter("tollgate_payment_notifies", "Payment provider notifies received, by outcome.",
                   ("provider", "outcome"))


def _relay_labels(door, model, channel_id) -> tuple[str, str, str]:
    return (str(door or "unknown"), str(model or UNKNOWN_MODEL),
            str(channel_id) if channel_id is not None else NO_CHANNEL)


# Counting ------------------------------------------------------------------

def observe_request(record: dict, credits: int | None, key=None) -> None:
    """A settled relay call: `record` is the request-log row settle() built,
    `credits` what was charged. Also writes the request's log line."""
    try:
        labels = _relay_labels(record.get("door"), record.get("model"), record.get("channel_id"))
        status = int(record.get("status") or 0)
        REQUESTS.labels(*labels, str(status)).inc()
        if status >= 400:
            ERRORS.labels(*labels, str(record.get("error_code") or status)).inc()
        if record.get("latency_ms") is not None:
            LATENCY.labels(*labels).observe(record["latency_ms"] / 1000)
        if record.get("stream") and record.get("ttft_ms") is not None:
            TTFT.labels(*labels).observe(record["ttft_ms"] / 1000)
        for kind in ("prompt", "completion", "cached"):
            count = record.get(f"{kind}_tokens") or 0
            if count:
                TOKENS.labels(*labels, kind).inc(count)
        if credits:
            CREDITS.labels(*labels).inc(credits)
    except Exception:  # never let a figure break a request
        log.exception("could not record metrics for request %s", record.get("request_id"))
    try:
        logs.request_line(record, credits, key)
    except Exception:
        log.exception("could not log request %s", record.get("request_id"))


def observe_refusal(key, request_id: str, door: str, model, stream: bool, exc, started: float) -> None:
    """A relay request refused before any upstream call (the arguments of
    services.relay.call.log_refusal)."""
    observe_request({
        "request_id": request_id, "account_id": getattr(key, "account_id", None), "door": door,
        "model": _known_model(model), "channel_id": None, "stream": bool(stream),
        "status": getattr(exc, "status", None), "error_code": getattr(exc, "code", None),
        "latency_ms": int((time.perf_counter() - started) * 1000),
    }, 0, key)


def _known_model(name) -> str:
    """The catalog's id for the model the client named, or UNKNOWN_MODEL:
    label values must come from a bounded set, not from request bodies."""
    if not isinstance(name, str) or not name:
        return UNKNOWN_MODEL
    try:
        from services.catalog.snapshot import current_catalog

        model = current_catalog().resolve(name)
    except Exception:
        return UNKNOWN_MODEL
    return model.id if model is not None else UNKNOWN_MODEL


def track_stream(door: str, chunks):
    """Wrap a stream's body: counted as open from its first chunk until it
    ends or the client goes (closing this closes `chunks`)."""
    gauge = OPEN_STREAMS.labels(str(door))
    gauge.inc()
    try:
        yield from chunks
    finally:
        gauge.dec()


def observe_batch(writes: int) -> None:
    LEDGER_BATCHES.inc()
    LEDGER_WRITES.inc(writes)


def observe_notify(provider: str, result) -> None:
    """A payment notify and how it ended: paid, already_paid, closed,
    waiting, or the rejection's reason (bad_signature, wrong_amount, ...)."""
    try:
        reason = str(getattr(result, "reason", "") or "unknown").split()[0][:48]
        NOTIFIES.labels(str(provider), reason).inc()
    except Exception:
        log.exception("could not record a payment notify")


# Read when scraped ----------------------------------------------------------

# Holds older than this are not looked at (the sweeper's own horizon).
HOLD_HORIZON = timedelta(days=7)


class StateCollector:
    """Figures read from shared state at scrape time, within the scraping
    request's app context."""

    def collect(self):
        for part in (self._channels, self._holds, self._tasks):
            try:
                yield from part()
            except Exception:
                log.exception("metrics: could not read %s", part.__name__.strip("_"))

    def _channels(self):
        from flask import current_app
        from sqlalchemy import select

        from extensions import db
        from models import Channel
        from services.relay.breaker import breaker_key
        from services.relay.shared_state import breakers

        rows = db.session.execute(select(Channel.id, Channel.name, Channel.provider, Channel.enabled,
                                         Channel.models).order_by(Channel.id)).all()
        info = GaugeMetricFamily("tollgate_channel_info", "Channels by id: name, provider, enabled.",
                                 labels=("channel", "name", "provider", "enabled"))
        for row in rows:
            info.add_metric((str(row.id), row.name, row.provider, str(bool(row.enabled)).lower()), 1)
        yield info
        if not current_app.config["BREAKER_ENABLED"]:
            return
        board = breakers()
        states = GaugeMetricFamily(
            "tollgate_breaker_state",
            "Circuit breaker per channel and model: 1 for its current state (closed, open, half_open). "
            "With REDIS_URL every worker shares the breakers; without, this is the scraped worker's own.",
            labels=("channel", "model", "state"))
        for row in rows:
            for model in row.models or ():
                state = board.state(breaker_key(row.id, model))["state"]
                for name in ("closed", "open", "half_open"):
                    states.add_metric((str(row.id), model, name), 1 if state == name else 0)
        yield states

    def _holds(self):
        from sqlalchemy import func, select

        from extensions import db
        from models import LedgerEntry
        from models.base import utcnow
        from services.billing.ledger import open_holds

        entries = LedgerEntry.__table__
        now = utcnow()
        count, credits, oldest = db.session.execute(  # a task's holds: _tasks below
            select(func.count(), func.coalesce(func.sum(-entries.c.amount), 0), func.min(entries.c.created_at))
            .where(*open_holds(now - HOLD_HORIZON))
        ).one()
        yield GaugeMetricFamily("tollgate_holds_outstanding",
                                "Credit holds reserved and not yet settled (in flight, or left by a killed worker).",
                                value=count)
        yield GaugeMetricFamily("tollgate_holds_outstanding_credits", "Credits in outstanding holds.",
                                value=int(credits or 0))
        age = (now - oldest).total_seconds() if oldest is not None else 0
        yield GaugeMetricFamily("tollgate_holds_oldest_age_seconds",
                                "Age of the oldest outstanding hold (0: none). Above HOLD_TTL_SECONDS, "
                                "`flask ledger sweep` is not running.", value=max(age, 0))

    def _tasks(self):
        from sqlalchemy import func, select

        from extensions import db
        from models import Task
        from models.base import utcnow
        from models.task import OPEN

        rows = db.session.execute(select(Task.status, func.count(), func.coalesce(func.sum(Task.hold), 0),
                                         func.min(Task.created_at))
                                  .where(Task.status.in_(OPEN)).group_by(Task.status)).all()
        found = {status: (count, held, oldest) for status, count, held, oldest in rows}
        depth = GaugeMetricFamily("tollgate_tasks_open", "Tasks not finished yet (videos, Midjourney, Suno, "
                                                         "image tasks), by status.", labels=("status",))
        held = GaugeMetricFamily("tollgate_tasks_held_credits", "Credits held by open tasks.")
        for status in OPEN:
            depth.add_metric((status,), found.get(status, (0,))[0])
        held.add_metric((), sum(int(v[1] or 0) for v in found.values()))
        oldest = [v[2] for v in found.values() if v[2] is not None]
        age = (utcnow() - min(oldest)).total_seconds() if oldest else 0
        yield depth
        yield held
        yield GaugeMetricFamily("tollgate_tasks_oldest_age_seconds",
                                "Age of the oldest open task (0: none). Near TASK_TIMEOUT_MINUTES, the poller "
                                "is not running or a provider is stuck.", value=max(age, 0))


def render() -> bytes:
    """The text a scrape gets: every worker's counts (or this process's),
    then the figures read now."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    state = CollectorRegistry()
    state.register(StateCollector())
    return counted + generate_latest(state)


# Who may scrape --------------------------------------------------------------

def parse_networks(text: str | None) -> tuple:
    networks = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise RuntimeError(f"METRICS_ALLOW_NETWORKS: {part!r} is not a network or address") from None
    return tuple(networks)


def may_scrape(config, remote_addr: str | None, authorization: str | None) -> bool:
    """A bearer token equal to METRICS_TOKEN, or a client address inside
    METRICS_ALLOW_NETWORKS. Neither set: nobody (the endpoint answers 404)."""
    token = config.get("METRICS_TOKEN")
    if token and authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    networks = parse_networks(config.get("METRICS_ALLOW_NETWORKS"))
    if not networks or not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None) is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)

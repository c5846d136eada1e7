"""Health checks and upstream balances for channels.

A check sends the smallest real request (one token) through the channel's
adapter and books the outcome like a relayed call would: success closes the
channel's breaker, a server failure counts against it, a refused key takes
the channel out of service. Results are kept on the channel for the admin.
Run them with `flask channel check` (cron) or in-process every
HEALTH_CHECK_SECONDS."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import orjson
from flask import Flask, current_app
from sqlalchemy import select, update

from extensions import db
from models import Channel
from models.base import utcnow
from services.catalog.channels import disable_channel
from services.catalog.snapshot import ChannelInfo, channel_info, load_catalog, upstream_policy
from services.relay.adapters import adapter_for, http
from services.relay.adapters.base import UpstreamError
from services.relay.breaker import CLOSED, breaker_key
from services.relay.convert.table import Target, plan
from services.relay.sanitize import sanitize
from services.relay.shared_state import breakers, redis_client

log = logging.getLogger("tollgate.health")
CHECK_TIMEOUT = 30.0


@dataclass(frozen=True)
class CheckResult:
    channel_id: int
    name: str
    model: str
    ok: bool
    latency_ms: int
    detail: str            # the answer's first words, or the sanitised error
    balance: str | None = None


def _answer_text(completion: dict) -> str:
    for choice in completion.get("choices") or ():
        text = (choice.get("message") or {}).get("content")
        if text:
            return str(text)[:80]
    return "(empty answer)"


def _ask_one_token(channel: ChannelInfo, model_id: str, timeouts) -> dict:
    """A one-token chat question, in whatever dialect the channel speaks;
    the answer as a chat completion."""
    body = {"model": channel.upstream_name(model_id), "max_tokens": 1,
            "messages": [{"role": "user", "content": "ping"}]}
    planned = plan("openai.chat", channel)
    if planned is None:
        raise UpstreamError(None, "the channel speaks no dialect a health check can use")
    dialect, converter = planned
    target = Target(upstream_model=body["model"], client_model=body["model"], max_output_tokens=1,
                    provider=channel.flavor)
    request, state = (body, None) if converter is None else converter.request(body, target)
    answer = adapter_for(channel.provider).send(channel, dialect, request, timeouts, stream=False)
    return answer if converter is None else converter.answer(answer, state, target)


def check_channel(channel: ChannelInfo, model_id: str | None = None) -> CheckResult:
    model_id = model_id or channel.models[0]
    timeouts = replace(channel.timeouts, first_byte=min(channel.timeouts.first_byte, CHECK_TIMEOUT))
    key = breaker_key(channel.id, model_id)
    started = time.perf_counter()
    if plan("openai.chat", channel) is None:  # a task channel (Midjourney): nothing to ask, no breaker to trip
        result = CheckResult(channel.id, channel.name, model_id, False, 0,
                             "not checked: the channel speaks no dialect a health check can use")
        _record(result)
        return result
    try:
        answer = _ask_one_token(channel, model_id, timeouts)
        ok, detail = True, _answer_text(answer)
        breakers().reset(key)  # a proven upstream closes its breaker
    except UpstreamError as exc:
        ok = False
        detail = sanitize(exc.message, (channel.api_key, channel.base_url)) or "failed"
        if exc.status:
            detail = f"HTTP {exc.status}: {detail}"
        _book_failure(channel, key, exc)
    latency = int((time.perf_counter() - started) * 1000)
    result = CheckResult(channel.id, channel.name, model_id, ok, latency, detail, query_balance(channel))
    _record(result)
    return result



def check_channel_by_id(channel_id: int, model_id: str | None = None):
    """Run a health check (one tiny request) through the channel, enabled or
    not, and return its CheckResult; None if there is no such channel."""
    db.session.rollback()
    with db.engine.connect() as conn:
        row = conn.execute(select(Channel.__table__).where(Channel.id == channel_id)).first()
    if row is None or not row.models:
        return None
    info = channel_info(row, current_app.config["SECRET_KEY"], upstream_policy())
    if model_id not in info.models:
        model_id = None
    return check_channel(info, model_id)

def _book_failure(channel: ChannelInfo, key: str, exc: UpstreamError) -> None:
    if exc.kind == "auth":
        disable_channel(channel.id, f"health check: upstream answered HTTP {exc.status}: the key was refused")
    elif exc.kind != "client":
        breakers().failure(key, CLOSED, exc.kind, exc.retry_after)


def _record(result: CheckResult) -> None:
    values = {"checked_at": utcnow(), "check_ok": result.ok, "check_latency_ms": result.latency_ms,
              "check_error": None if result.ok else result.detail[:255]}
    if result.balance is not None:
        values["upstream_balance"] = result.balance[:64]
    with db.engine.begin() as conn:
        conn.execute(update(Channel).where(Channel.id == result.channel_id).values(**values))


def check_all(name: str | None = None) -> list[CheckResult]:
    channels = {c.id: c for chans in load_catalog().routes.values() for c in chans}
    return [check_channel(c) for c in sorted(channels.values(), key=lambda c: c.id)
            if name is None or c.name == name]


def query_balance(channel: ChannelInfo) -> str | None:
    """The provider's own account balance, where it has an endpoint for it."""
    flavor = channel.flavor
    if flavor == "deepseek":
        url = channel.base_url.split("/v1")[0].rstrip("/") + "/user/balance"
    elif flavor == "openrouter":
        url = channel.base_url + "/credits"
    else:
        return None
    try:
        response = http.request("GET", url, body=None, headers={"Authorization": f"Bearer {channel.api_key}"},
                                connect_timeout=channel.timeouts.connect, read_timeout=10, stream=False,
                                policy=channel.timeouts.policy)
        data = orjson.loads(response.data) if response.status == 200 else None
    except (http.HTTPError, orjson.JSONDecodeError):
        return None
    return _balance_text(flavor, data) if isinstance(data, dict) else None


def _balance_text(flavor: str, data: dict) -> str | None:
    if flavor == "deepseek":
        infos = data.get("balance_infos") or []
        return ", ".join(f"{i.get('currency')} {i.get('total_balance')}" for i in infos) or None
    credits = data.get("data") or {}
    try:
        return f"USD {float(credits['total_credits']) - float(credits['total_usage']):.2f}"
    except (KeyError, TypeError, ValueError):
        return None


def start_scheduler(app: Flask) -> None:
    """Check every channel every HEALTH_CHECK_SECONDS in a background
    greenlet. With Redis, a lock lets one worker of all run each round."""
    interval = app.config["HEALTH_CHECK_SECONDS"]
    if interval <= 0:
        return
    import gevent

    def loop():
        while True:
            gevent.sleep(interval)
            with app.app_context():
                try:
                    client = redis_client()
                    if client is None or client.set("tg:health:lock", "1", nx=True, ex=max(int(interval), 1)):
                        check_all()
                except Exception:  # a bad round must not end the loop
                    log.exception("health check round failed")

    gevent.spawn(loop)

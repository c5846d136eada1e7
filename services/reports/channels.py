"""What the admin shows about each channel: its state, the breaker of each
model it serves, and how its requests went lately (from the request log)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select

from extensions import db
from models import Channel, RequestLog
from models.base import utcnow
from services.relay.breaker import breaker_key
from services.relay.shared_state import breakers


def channel_overview(minutes: int = 60) -> list[dict]:
    since = utcnow() - timedelta(minutes=minutes)
    failed = case((RequestLog.status >= 500, 1), else_=0)
    stats = {
        row.channel_id: row for row in db.session.execute(
            select(RequestLog.channel_id, func.count().label("requests"), func.sum(failed).label("failures"),
                   func.avg(RequestLog.latency_ms).label("latency"), func.avg(RequestLog.ttft_ms).label("ttft"))
            .where(RequestLog.created_at >= since, RequestLog.channel_id.is_not(None))
            .group_by(RequestLog.channel_id))
    }
    board = breakers()
    overview = []
    channels = select(Channel).order_by(Channel.priority.desc(), Channel.id).execution_options(populate_existing=True)
    for channel in db.session.scalars(channels):
        row = stats.get(channel.id)
        requests = row.requests if row else 0
        overview.append({
            "id": channel.id, "name": channel.name, "provider": channel.provider, "enabled": channel.enabled,
            "disabled_reason": channel.disabled_reason, "priority": channel.priority, "weight": channel.weight,
            "requests": requests,
            "error_rate": (row.failures or 0) / requests if requests else None,
            "latency_ms": round(row.latency) if row and row.latency is not None else None,
            "ttft_ms": round(row.ttft) if row and row.ttft is not None else None,
            "breakers": {model: board.state(breaker_key(channel.id, model)) for model in channel.models or ()},
            "checked_at": channel.checked_at, "check_ok": channel.check_ok,
            "check_latency_ms": channel.check_latency_ms, "check_error": channel.check_error,
            "upstream_balance": channel.upstream_balance,
        })
    return overview

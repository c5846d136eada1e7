"""What a key holder may see with the key alone: its balance, its quota and
its usage log. One reading of the key's standing (standing) serves both the
API's balance view and the store's quota view."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from extensions import db
from models import Account, ApiKey, RequestLog
from services.identity.keys import KeyContext


@dataclass(frozen=True)
class Standing:
    balance: int      # the account's balance
    spent: int        # what this key has spent
    cap: int | None   # the key's own spend cap, None: no cap
    last4: str
    available: int    # what the key can still spend: the balance, within the cap


def standing(key: KeyContext) -> Standing:
    with db.engine.connect() as conn:
        balance = conn.execute(select(Account.balance).where(Account.id == key.account_id)).scalar_one()
        spent, cap, last4 = conn.execute(
            select(ApiKey.spent, ApiKey.spend_cap, ApiKey.last4).where(ApiKey.id == key.id)).one()
    available = balance if cap is None else max(0, min(balance, cap - spent))
    return Standing(balance, spent, cap, last4, available)


def balance_view(key: KeyContext) -> dict:
    """The API's view (GET /v1/balance and friends)."""
    s = standing(key)
    return {
        "object": "balance", "currency": "credits", "balance": s.balance,
        "available": s.available,
        "key": {"name": key.name, "spent": s.spent, "spend_cap": s.cap},
    }


def quota(key: KeyContext) -> dict:
    """The store's view. used: what this key has spent; available: what it can
    still spend (the account balance, within the key's own cap); total: the two added."""
    s = standing(key)
    return {"tokenName": key.name, "maskedKey": f"sk-****{s.last4}", "availableQuota": s.available,
            "usedQuota": s.spent, "totalQuota": s.available + s.spent, "accountBalance": s.balance}


def usage(key: KeyContext, limit: int = 50) -> dict:
    """The key's most recent requests, newest first; `truncated` when there are more."""
    limit = max(1, min(limit, 200))
    with db.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(RequestLog)
                             .where(RequestLog.key_id == key.id)).scalar_one()
        rows = conn.execute(select(RequestLog).where(RequestLog.key_id == key.id)
                            .order_by(RequestLog.id.desc()).limit(limit)).all()
    items = [{
        "id": row.request_id, "modelName": row.model, "quota": row.credits,
        "hasCacheHit": row.cached_tokens > 0, "cachedTokens": row.cached_tokens,
        "promptTokens": row.prompt_tokens, "completionTokens": row.completion_tokens,
        "responseTimeMs": row.latency_ms, "firstTokenMs": row.ttft_ms, "stream": row.stream,
        "status": row.status, "errorCode": row.error_code, "estimated": row.estimated,
        "createdAt": row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    } for row in rows]
    return {"items": items, "total": total, "truncated": total > len(items)}

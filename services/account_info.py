"""Read-only views of an account and key for API clients."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import Account, ApiKey
from services.keys import KeyContext


def balance_view(key: KeyContext) -> dict:
    with db.engine.connect() as conn:
        balance, = conn.execute(select(Account.balance).where(Account.id == key.account_id)).one()
        spent, cap = conn.execute(select(ApiKey.spent, ApiKey.spend_cap).where(ApiKey.id == key.id)).one()
    remaining = balance if cap is None else max(0, min(balance, cap - spent))
    return {
        "object": "balance", "currency": "credits", "balance": balance,
        "available": remaining,
        "key": {"name": key.name, "spent": spent, "spend_cap": cap},
    }

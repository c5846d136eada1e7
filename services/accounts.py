"""Accounts (wallets) and credits granted outside the request path."""
from __future__ import annotations

import secrets

from extensions import db
from models import Account
from services import ledger


def create_account(name: str = "", email: str | None = None) -> Account:
    account = Account(name=name.strip()[:120], email=(email or "").strip().lower() or None, balance=0)
    db.session.add(account)
    db.session.commit()
    return account


def find_or_create_by_email(email: str, name: str = "") -> Account:
    email = email.strip().lower()
    account = Account.query.filter_by(email=email).order_by(Account.id).first()
    return account or create_account(name or email, email)


def grant(account_id: int, credits: int, *, kind: str = "adjust", note: str | None = None,
          idempotency_key: str | None = None, ref: str | None = None) -> bool:
    """Add (or, negative, remove) credits with a ledger entry."""
    key = idempotency_key or f"{kind}:{secrets.token_hex(12)}"
    return ledger.post(account_id, credits, kind, key, ref=ref, note=note)

"""Accounts (wallets) and credits granted outside the request path."""
from __future__ import annotations

import secrets

from extensions import db
from models import Account
from services.billing import ledger
from i18n import N_


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


class AccountError(ValueError):
    pass


def adjust(account_id: int, credits: int, *, reason: str, actor_user_id: int | None,
           operation_id: str | None = None) -> bool:
    """An operator's correction: one "adjust" ledger entry (negative allowed,
    never below zero: the ledger refuses with InsufficientCredits) and its
    audit entry, in one transaction. `operation_id` (the form's one-time id)
    makes a resubmitted form book nothing: False then."""
    from services import audit

    reason = (reason or "").strip()
    if not reason:
        raise AccountError(N_("Give a reason; it is kept on the ledger entry and in the audit log."))
    if credits == 0:
        raise AccountError(N_("Adjust by a non-zero number of credits."))
    db.session.rollback()  # no read snapshot held while writing (SQLite)
    with db.engine.begin() as conn:
        if conn.execute(db.select(Account.id).where(Account.id == account_id)).first() is None:
            raise AccountError(f"No account {account_id}.")
        key = f"adjust:{operation_id or secrets.token_hex(12)}"[:128]
        if not ledger.post(account_id, credits, "adjust", key, note=reason[:255], conn=conn):
            return False
        audit.record(actor_user_id, "account.adjust", f"account:{account_id}", reason, {"credits": credits},
                     conn=conn)
    return True


def set_status(account_id: int, status: str, *, actor_user_id: int | None, reason: str | None = None) -> Account:
    """Suspend (its keys are refused at the reservation) or reactivate an account."""
    from services import audit

    if status not in ("active", "suspended"):
        raise AccountError("status must be active or suspended")
    account = db.session.get(Account, account_id)
    if account is None:
        raise AccountError(f"No account {account_id}.")
    account.status = status
    db.session.commit()
    audit.record(actor_user_id, "account.suspend" if status == "suspended" else "account.unsuspend",
                 f"account:{account_id}", reason)
    return account

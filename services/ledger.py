"""Moving credits. Every change of a balance is one ledger entry written in
the same transaction as the balance update, under a unique idempotency key,
so an operation retried or raced is booked at most once.

The request path uses `reserve` (one conditional UPDATE: the balance can
never go below zero, whatever the concurrency) and `settle` (release the hold,
book the real charge, write the request log: one transaction).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models import Account, ApiKey, LedgerEntry, RequestLog
from models.base import utcnow

accounts = Account.__table__
keys = ApiKey.__table__
ledger = LedgerEntry.__table__
request_logs = RequestLog.__table__


class InsufficientCredits(Exception):
    def __init__(self, balance: int, needed: int):
        super().__init__(f"balance {balance} is below the {needed} credits needed")
        self.balance = balance
        self.needed = needed


class SpendCapReached(Exception):
    pass


def _insert_ignore(conn, table, unique_column: str, values: dict) -> bool:
    """INSERT unless a row with the same unique value exists; True if new.
    (ON CONFLICT DO NOTHING keeps a PostgreSQL transaction usable, which a
    caught IntegrityError would not.)"""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - other databases are not supported targets
        raise RuntimeError(f"unsupported database dialect {dialect}")
    stmt = (stmt.values(**values).on_conflict_do_nothing(index_elements=[unique_column])
            .returning(table.c[unique_column]))
    # rowcount is not reliable with RETURNING on every driver; a row back is.
    return conn.execute(stmt).first() is not None


def _insert_entry(conn, **values) -> bool:
    """Insert a ledger entry unless its idempotency key exists; True if new."""
    values.setdefault("created_at", utcnow())
    return _insert_ignore(conn, ledger, "idempotency_key", values)


def post(account_id: int, amount: int, kind: str, idempotency_key: str, *,
         ref: str | None = None, note: str | None = None, key_id: int | None = None,
         conn=None) -> bool:
    """Credit (amount > 0) or debit (amount < 0) an account with one entry.
    Returns False when the idempotency key was already booked (nothing
    changes). A debit larger than the balance raises InsufficientCredits.
    Pass `conn` to join a caller's transaction (orders, refunds)."""
    if conn is None:
        with db.engine.begin() as own:
            return post(account_id, amount, kind, idempotency_key, ref=ref, note=note,
                        key_id=key_id, conn=own)
    if not _insert_entry(conn, account_id=account_id, amount=amount, kind=kind, ref=ref,
                         note=note, key_id=key_id, idempotency_key=idempotency_key):
        return False
    stmt = update(accounts).where(accounts.c.id == account_id)
    if amount < 0:
        stmt = stmt.where(accounts.c.balance >= -amount)
    if conn.execute(stmt.values(balance=accounts.c.balance + amount)).rowcount != 1:
        balance = conn.execute(select(accounts.c.balance).where(accounts.c.id == account_id)).scalar()
        # Raising rolls the caller's transaction back, entry included.
        raise InsufficientCredits(balance or 0, -amount)
    return True


def reserve(account_id: int, key_id: int, amount: int, request_id: str) -> bool:
    """Hold `amount` credits before an upstream call. False when the balance
    cannot cover it; SpendCapReached when the key's own cap would be passed."""
    with db.engine.begin() as conn:
        taken = conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id, accounts.c.balance >= amount,
                   accounts.c.status == "active")
            .values(balance=accounts.c.balance - amount)
        ).rowcount
        if taken != 1:
            return False
        capped = conn.execute(
            update(keys)
            .where(keys.c.id == key_id)
            .where((keys.c.spend_cap.is_(None)) | (keys.c.spent + amount <= keys.c.spend_cap))
            .values(spent=keys.c.spent + amount)
        ).rowcount
        if capped != 1:
            raise SpendCapReached()  # rolls back the balance update too
        _insert_entry(conn, account_id=account_id, key_id=key_id, amount=-amount, kind="reserve",
                      ref=request_id, idempotency_key=f"reserve:{request_id}")
    return True


def settle(account_id: int, key_id: int, hold: int, cost: int, request_id: str,
           log: dict | None = None) -> int:
    """Release the hold, book the charge (never more than the hold) and write
    the request log, in one transaction. Returns the credits charged.
    Idempotent per request id, and safe against the sweeper: if the hold was
    already swept back, the charge is taken from the balance as far as it
    reaches."""
    cost = max(0, min(cost, hold))
    now = utcnow()
    with db.engine.begin() as conn:
        released = _insert_entry(conn, account_id=account_id, key_id=key_id, amount=hold,
                                 kind="release", ref=request_id, created_at=now,
                                 idempotency_key=f"release:{request_id}")
        if not released:
            balance = conn.execute(select(accounts.c.balance).where(accounts.c.id == account_id)).scalar() or 0
            cost = min(cost, balance)
        charged = cost > 0 and _insert_entry(
            conn, account_id=account_id, key_id=key_id, amount=-cost, kind="charge", ref=request_id,
            created_at=now, idempotency_key=f"charge:{request_id}")
        if not charged:
            cost = 0
        balance_change = (hold if released else 0) - cost
        spent_change = cost - (hold if released else 0)
        if balance_change:
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(balance=accounts.c.balance + balance_change))
        conn.execute(update(keys).where(keys.c.id == key_id)
                     .values(spent=keys.c.spent + spent_change, last_used_at=now))
        if log is not None:
            _insert_ignore(conn, request_logs, "request_id", {**log, "credits": cost, "created_at": now})
    return cost


def write_log(log: dict) -> None:
    """A request log row for a request that never reserved (refused early)."""
    with db.engine.begin() as conn:
        conn.execute(insert(request_logs).values(**log, created_at=utcnow()))


def sweep(ttl_seconds: int) -> int:
    """Return holds older than ttl_seconds whose request never settled (a
    killed worker). Exactly-once against a late settle thanks to the release
    entry's idempotency key. Returns how many holds were swept."""
    cutoff = utcnow() - timedelta(seconds=ttl_seconds)
    horizon = cutoff - timedelta(days=7)  # bounds the scan
    released = ledger.alias("released")
    stale = (
        select(ledger.c.account_id, ledger.c.key_id, ledger.c.amount, ledger.c.ref)
        .where(ledger.c.kind == "reserve", ledger.c.created_at < cutoff, ledger.c.created_at > horizon)
        .where(~select(released.c.id).where(
            released.c.idempotency_key == literal("release:") + ledger.c.ref).exists())
    )
    swept = 0
    with db.engine.connect() as conn:
        rows = conn.execute(stale).all()
    for account_id, key_id, amount, ref in rows:
        hold = -amount
        with db.engine.begin() as conn:
            if not _insert_entry(conn, account_id=account_id, key_id=key_id, amount=hold,
                                 kind="release", ref=ref, note="swept: request never settled",
                                 idempotency_key=f"release:{ref}"):
                continue
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(balance=accounts.c.balance + hold))
            if key_id is not None:
                conn.execute(update(keys).where(keys.c.id == key_id).values(spent=keys.c.spent - hold))
        swept += 1
    return swept


@dataclass(frozen=True)
class Discrepancy:
    account_id: int
    balance: int
    ledger_sum: int

    def describe(self) -> str:
        if self.balance < 0:
            return f"account {self.account_id}: balance {self.balance} is negative"
        return (f"account {self.account_id}: balance {self.balance} differs from "
                f"the sum of its ledger entries {self.ledger_sum}")


def verify() -> list[Discrepancy]:
    """Every account whose balance differs from its ledger sum or is negative."""
    sums = (select(ledger.c.account_id, func.sum(ledger.c.amount).label("total"))
            .group_by(ledger.c.account_id).subquery())
    total = func.coalesce(sums.c.total, 0)
    stmt = (select(accounts.c.id, accounts.c.balance, total)
            .select_from(accounts.outerjoin(sums, sums.c.account_id == accounts.c.id))
            .where((accounts.c.balance != total) | (accounts.c.balance < 0))
            .order_by(accounts.c.id))
    with db.engine.connect() as conn:
        return [Discrepancy(int(a), int(b), int(s)) for a, b, s in conn.execute(stmt)]


def balance_of(account_id: int) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(accounts.c.balance).where(accounts.c.id == account_id)).scalar() or 0

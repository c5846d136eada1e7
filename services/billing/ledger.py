"""Moving credits. Every change of a balance is one ledger entry written in
the same transaction as the balance update, under a unique idempotency key,
so an operation retried or raced is booked at most once.

The request path uses `reserve` (one conditional UPDATE: the balance can
never go below zero, whatever the concurrency) and `settle` (release the hold,
book the real charge, write the request log: one transaction). Both go
through `group_commit`, which under gevent commits the writes of many
requests of a worker in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import DateTime, bindparam, func, literal, select, text

from extensions import db
from models import Account, LedgerEntry, Task
from models.ledger import RESERVE
from models.base import utcnow
from services.billing import group_commit, one_statement
from services.billing.sql import Statement, Tx

accounts = Account.__table__
ledger = LedgerEntry.__table__
tasks = Task.__table__


class InsufficientCredits(Exception):
    def __init__(self, balance: int, needed: int):
        super().__init__(f"balance {balance} is below the {needed} credits needed")
        self.balance = balance
        self.needed = needed


class SpendCapReached(Exception):
    pass


class KeyDisabled(Exception):
    """The key was disabled or deleted after it was authenticated (another
    worker's cached lookup): refused at the reservation, across all workers."""


# The request path runs these for every call, so they are written once as SQL
# (the same text on SQLite 3.35+ and PostgreSQL) instead of being rebuilt and
# compiled by SQLAlchemy each time. ON CONFLICT DO NOTHING, unlike a caught
# IntegrityError, keeps a PostgreSQL transaction usable; RETURNING tells
# whether the row is new (rowcount is not reliable with it on every driver).
_INSERT_ENTRY = text(
    "INSERT INTO ledger_entries (account_id, key_id, amount, kind, ref, idempotency_key, note, created_at) "
    "VALUES (:account_id, :key_id, :amount, :kind, :ref, :idempotency_key, :note, :created_at) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
).bindparams(bindparam("created_at", type_=DateTime()))
_LOG_COLUMNS = ("request_id", "account_id", "key_id", "door", "model", "upstream_model", "channel_id",
                "stream", "status", "error_code", "latency_ms", "ttft_ms", "prompt_tokens",
                "completion_tokens", "cached_tokens", "credits", "estimated", "client_ip", "user_agent",
                "created_at")
_LOG_DEFAULTS = {c: None for c in _LOG_COLUMNS} | {"stream": False, "prompt_tokens": 0, "completion_tokens": 0,
                                                   "cached_tokens": 0, "credits": 0, "estimated": False}
_RAW_LOG = Statement(
    f"INSERT INTO request_logs ({', '.join(_LOG_COLUMNS)}) VALUES ({', '.join(':' + c for c in _LOG_COLUMNS)}) "
    "ON CONFLICT (request_id) DO NOTHING")
_TAKE = text("UPDATE accounts SET balance = balance - :amount "
             "WHERE id = :account_id AND balance >= :amount AND status = 'active'")
_DEBIT = text("UPDATE accounts SET balance = balance - :amount WHERE id = :account_id AND balance >= :amount")
_ADD = text("UPDATE accounts SET balance = balance + :amount WHERE id = :account_id")
_KEY_HOLD = text("UPDATE api_keys SET spent = spent + :amount "
                 "WHERE id = :key_id AND status = 'active' "
                 "AND (spend_cap IS NULL OR spent + :amount <= spend_cap)")
_KEY_STATUS = Statement("SELECT status FROM api_keys WHERE id = :key_id")
_KEY_SETTLE = text("UPDATE api_keys SET spent = spent + :amount, last_used_at = :now WHERE id = :key_id"
                   ).bindparams(bindparam("now", type_=DateTime()))
_BALANCE = text("SELECT balance FROM accounts WHERE id = :account_id")

# The same statements for the request path's plain DB-API transactions.
_RAW_ENTRY = Statement(_INSERT_ENTRY.text)
_RAW_TAKE = Statement(_TAKE.text)
_RAW_ADD = Statement(_ADD.text)
_RAW_KEY_HOLD = Statement(_KEY_HOLD.text)
_RAW_KEY_SETTLE = Statement(_KEY_SETTLE.text)
_RAW_BALANCE = Statement(_BALANCE.text)
_ONE_SETTLE = one_statement.Settle(_LOG_COLUMNS)  # settle_in's common case as one PostgreSQL statement


def _insert_entry(conn, *, account_id: int, amount: int, kind: str, idempotency_key: str,
                  key_id: int | None = None, ref: str | None = None, note: str | None = None,
                  created_at=None) -> bool:
    """Insert a ledger entry unless its idempotency key exists; True if new."""
    row = conn.execute(_INSERT_ENTRY, {
        "account_id": account_id, "key_id": key_id, "amount": amount, "kind": kind, "ref": ref,
        "idempotency_key": idempotency_key, "note": note, "created_at": created_at or utcnow()}).first()
    return row is not None


def _balance(conn, account_id: int) -> int:
    return conn.execute(_BALANCE, {"account_id": account_id}).scalar() or 0


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
    if amount < 0:
        changed = conn.execute(_DEBIT, {"amount": -amount, "account_id": account_id}).rowcount
    else:
        changed = conn.execute(_ADD, {"amount": amount, "account_id": account_id}).rowcount
    if changed != 1:
        # Raising rolls the caller's transaction back, entry included.
        raise InsufficientCredits(_balance(conn, account_id), -amount)
    return True


def _entry(account_id: int, key_id: int | None, amount: int, kind: str, ref: str, idempotency_key: str,
           stamp) -> dict:
    return {"account_id": account_id, "key_id": key_id, "amount": amount, "kind": kind, "ref": ref,
            "idempotency_key": idempotency_key, "note": None, "created_at": stamp}


def _raw_entry(tx: Tx, account_id: int, key_id: int | None, amount: int, kind: str, ref: str,
               idempotency_key: str, stamp) -> bool:
    return tx.one(_RAW_ENTRY, _entry(account_id, key_id, amount, kind, ref, idempotency_key, stamp)) is not None


def reserve(account_id: int, key_id: int, amount: int, request_id: str) -> bool:
    """Hold `amount` credits before an upstream call. False when the balance
    cannot cover it; SpendCapReached when the key's own cap would be passed;
    KeyDisabled when the key is no longer active."""
    def steps():
        return [one_statement.reserve_step(account_id, key_id, amount, request_id, utcnow())]

    outcome = group_commit.writes.run(
        (account_id, key_id), lambda tx: _reserve_in(tx, account_id, key_id, amount, request_id),
        steps, _TAKEN)
    if outcome is _TAKEN:
        return True
    if outcome is _SHORT:
        return False
    raise outcome()


_TAKEN, _SHORT = object(), object()


def _reserve_in(tx: Tx, account_id: int, key_id: int, amount: int, request_id: str):
    """The reservation's writes; on a refusal by the key, the balance taken is
    put back in the same transaction (which other writes may share, so it
    cannot simply be rolled back)."""
    if tx.rowcount(_RAW_TAKE, {"amount": amount, "account_id": account_id}) != 1:
        return _SHORT
    if tx.rowcount(_RAW_KEY_HOLD, {"amount": amount, "key_id": key_id}) != 1:
        tx.run(_RAW_ADD, {"amount": amount, "account_id": account_id})
        row = tx.one(_KEY_STATUS, {"key_id": key_id})
        return KeyDisabled if row is None or row[0] != "active" else SpendCapReached
    _raw_entry(tx, account_id, key_id, -amount, "reserve", request_id, f"reserve:{request_id}",
               tx.stamp(utcnow()))
    return _TAKEN


def settle(account_id: int, key_id: int, hold: int, cost: int, request_id: str,
           log: dict | None = None) -> int:
    """Release the hold, book the charge (never more than the hold) and write
    the request log, in one transaction. Returns the credits charged.
    Idempotent per request id, and safe against the sweeper: if the hold was
    already swept back, the charge is taken from the balance as far as it
    reaches."""
    cost = max(0, min(cost, hold))
    return group_commit.writes.run(
        (account_id, key_id), lambda tx: settle_in(tx, account_id, key_id, hold, cost, request_id, log),
        lambda: _settle_steps(account_id, key_id, hold, cost, request_id, log), cost)


def _settle_steps(account_id: int, key_id: int, hold: int, cost: int, request_id: str,
                  log: dict | None) -> list:
    now = utcnow()
    if log is not None:
        log = _LOG_DEFAULTS | log | {"credits": cost, "created_at": now}
    return [_ONE_SETTLE.step(account_id, key_id, hold, cost, request_id, now, log)]


def settle_in(tx: Tx, account_id: int, key_id: int, hold: int, cost: int, request_id: str,
              log: dict | None = None) -> int:
    """`settle` inside the caller's transaction (a task's status changes in
    the same one)."""
    cost = max(0, min(cost, hold))
    now = tx.stamp(utcnow())
    released = _raw_entry(tx, account_id, key_id, hold, "release", request_id,
                          f"release:{request_id}", now)
    if not released:
        cost = min(cost, tx.one(_RAW_BALANCE, {"account_id": account_id})[0])
    charged = cost > 0 and _raw_entry(tx, account_id, key_id, -cost, "charge", request_id,
                                      f"charge:{request_id}", now)
    if not charged:
        cost = 0
    returned = (hold if released else 0) - cost
    if returned:
        tx.run(_RAW_ADD, {"amount": returned, "account_id": account_id})
    tx.run(_RAW_KEY_SETTLE, {"amount": -returned, "now": now, "key_id": key_id})
    if log is not None:
        tx.run(_RAW_LOG, _LOG_DEFAULTS | log | {"credits": cost, "created_at": now})
    return cost


def write_log(log: dict) -> None:
    """A request log row for a request that never reserved (refused early)."""
    def work(tx: Tx) -> None:
        tx.run(_RAW_LOG, _LOG_DEFAULTS | log | {"created_at": tx.stamp(utcnow())})

    group_commit.writes.run((log.get("account_id") or 0, log.get("key_id") or 0), work,
                            lambda: [(_RAW_LOG, _LOG_DEFAULTS | log | {"created_at": utcnow()}, None)], None)


def open_holds(since) -> tuple:
    """Where-clauses for the reservations made after `since` that were never
    released and belong to no task (a task's hold is its own: services.tasks).
    The sweeper's and the holds gauge's one definition."""
    released = ledger.alias("released")
    return (ledger.c.kind == RESERVE, ledger.c.created_at > since,
            ~select(released.c.id).where(released.c.idempotency_key == literal("release:") + ledger.c.ref).exists(),
            ~select(tasks.c.id).where(tasks.c.request_id == ledger.c.ref).exists())


def stale_holds(cutoff):
    """The open holds made before `cutoff` (and within a week of it, which
    bounds the scan)."""
    return (select(ledger.c.account_id, ledger.c.key_id, ledger.c.amount, ledger.c.ref)
            .where(*open_holds(cutoff - timedelta(days=7)), ledger.c.created_at < cutoff))


def sweep(ttl_seconds: int) -> int:
    """Return holds older than ttl_seconds whose request never settled (a
    killed worker). Exactly-once against a late settle thanks to the release
    entry's idempotency key. Returns how many holds were swept. The hold of
    a submitted task is not the sweeper's: it stays open until the task is
    settled or released by its own timeout (services.tasks)."""
    swept = 0
    with db.engine.connect() as conn:
        rows = conn.execute(stale_holds(utcnow() - timedelta(seconds=ttl_seconds))).all()
    for account_id, key_id, amount, ref in rows:
        hold = -amount
        with db.engine.begin() as conn:
            if not _insert_entry(conn, account_id=account_id, key_id=key_id, amount=hold,
                                 kind="release", ref=ref, note="swept: request never settled",
                                 idempotency_key=f"release:{ref}"):
                continue
            conn.execute(_ADD, {"amount": hold, "account_id": account_id})
            if key_id is not None:
                conn.execute(_KEY_SETTLE, {"amount": -hold, "now": utcnow(), "key_id": key_id})
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
        return _balance(conn, account_id)

"""A reservation and a settlement as one PostgreSQL statement each, for
group commit's pipeline: a batch of N requests sends 2N statements instead
of 8N, and psycopg's cost is per statement as much as per value.

Each is a chain of data-modifying CTEs answering one row that says what it
did. Only the common outcome is written here (the balance covers the hold,
the key takes it; the hold is still out when it is settled); any other row
makes the batch roll back and run again statement by statement through
ledger.py, which handles every case. Each CTE reads the one before it, so
rows are locked in the order the statement-by-statement path locks them
(the account, then the key) and two workers' batches cannot deadlock.

The SQL is PostgreSQL's only; SQLite runs ledger.py's statements, which
cost it no round trip.
"""
from __future__ import annotations

from services.billing.sql import Statement

_ENTRY = "ledger_entries (account_id, key_id, amount, kind, ref, idempotency_key, note, created_at)"

RESERVE = Statement(
    "WITH taken AS (UPDATE accounts SET balance = balance - :amount "
    "WHERE id = :account_id AND balance >= :amount AND status = 'active' RETURNING id), "
    "held AS (UPDATE api_keys SET spent = spent + :amount "
    "WHERE id = :key_id AND status = 'active' AND (spend_cap IS NULL OR spent + :amount <= spend_cap) "
    "AND EXISTS (SELECT FROM taken) RETURNING id) "
    f"INSERT INTO {_ENTRY} "
    "SELECT :account_id, :key_id, -:amount, 'reserve', :ref, :idempotency_key, NULL, :created_at "
    "WHERE EXISTS (SELECT FROM held) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")


def reserve_step(account_id: int, key_id: int, amount: int, request_id: str, now) -> tuple:
    """The reservation; answers a row only when all three writes happened."""
    return (RESERVE, {"amount": amount, "account_id": account_id, "key_id": key_id, "ref": request_id,
                      "idempotency_key": f"reserve:{request_id}", "created_at": now}, "row")


_SETTLE = (
    "WITH released AS (INSERT INTO {entry} "
    "VALUES (:account_id, :key_id, :hold, 'release', :ref, :release_key, NULL, :now) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
    "charged AS (INSERT INTO {entry} "
    "SELECT :account_id, :key_id, -:cost, 'charge', :ref, :charge_key, NULL, :now "
    "WHERE :cost > 0 AND EXISTS (SELECT FROM released) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
    "returned AS (UPDATE accounts SET balance = balance + :returned "
    "WHERE id = :account_id AND :returned <> 0 AND EXISTS (SELECT FROM released) RETURNING id), "
    "spent AS (UPDATE api_keys SET spent = spent - :returned, last_used_at = :now "
    "WHERE id = :key_id AND (SELECT count(*) FROM returned) >= 0 RETURNING id){log} "
    "SELECT (SELECT count(*) FROM released), (SELECT count(*) FROM charged), "
    "(SELECT count(*) FROM returned)")


def _settle_statement(log_columns: tuple[str, ...] | None) -> Statement:
    log = ""
    if log_columns is not None:
        log = (f", logged AS (INSERT INTO request_logs ({', '.join(log_columns)}) "
               f"VALUES ({', '.join(':log_' + c for c in log_columns)}) "
               "ON CONFLICT (request_id) DO NOTHING)")
    return Statement(_SETTLE.format(entry=_ENTRY, log=log))


class Settle:
    """The settlement's statement, with the request log row or without."""

    def __init__(self, log_columns: tuple[str, ...]):
        self._log_params = tuple((c, "log_" + c) for c in log_columns)  # named once, not per call
        self.with_log = _settle_statement(log_columns)
        self.bare = _settle_statement(None)

    def step(self, account_id: int, key_id: int, hold: int, cost: int, request_id: str, now,
             log: dict | None) -> tuple:
        """Answers (1, 1, 1) when the hold was released, the charge booked
        and the rest returned; a 0 where nothing was to charge or return."""
        returned = hold - cost
        params = {"account_id": account_id, "key_id": key_id, "hold": hold, "cost": cost,
                  "returned": returned, "ref": request_id, "release_key": f"release:{request_id}",
                  "charge_key": f"charge:{request_id}", "now": now}
        statement = self.bare
        if log is not None:
            statement = self.with_log
            params.update({name: log[c] for c, name in self._log_params})
        return (statement, params, (1, int(cost > 0), int(returned != 0)))

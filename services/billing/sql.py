"""Plain DB-API transactions for the few statements every relayed request
runs (reserve, settle). SQLAlchemy's statement machinery costs more than the
SQL itself there, so these go straight to the driver through the engine's
pool; everything else uses SQLAlchemy as usual.

Statements are written once with `:name` parameters and the same text works
on SQLite (3.35+) and PostgreSQL; for psycopg the parameters are rewritten to
`%(name)s`.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime

from extensions import db

_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class Statement:
    __slots__ = ("sqlite", "postgresql")

    def __init__(self, sql: str):
        self.sqlite = sql
        self.postgresql = _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class Tx:
    """A cursor inside one transaction, speaking the right dialect."""

    __slots__ = ("cursor", "dialect")

    def __init__(self, cursor, dialect: str):
        self.cursor = cursor
        self.dialect = dialect

    def run(self, statement: Statement, params: dict):
        self.cursor.execute(getattr(statement, self.dialect), params)
        return self.cursor

    def rowcount(self, statement: Statement, params: dict) -> int:
        return self.run(statement, params).rowcount

    def one(self, statement: Statement, params: dict):
        """The first row (or None); consumes the result."""
        return self.run(statement, params).fetchone()

    @property
    def pipelined(self) -> bool:
        """Whether `all_at_once` saves round trips (PostgreSQL)."""
        return self.dialect == "postgresql"

    def all_at_once(self, steps: list[tuple[Statement, dict, str | None]]) -> bool:
        """Send every statement before reading any answer (psycopg's
        pipeline mode: one round trip for all of them), in order, so row
        locks are taken as if one by one. True when each did what its
        expectation says: "one" (changed one row), "row" (returned a row),
        a tuple (returned that row), None (anything)."""
        conn = self.cursor.connection
        cursors = []
        with conn.pipeline():
            for statement, params, _expect in steps:
                cursor = conn.cursor()
                cursor.execute(statement.postgresql, params)
                cursors.append(cursor)
        met = True
        for cursor, (_statement, _params, expect) in zip(cursors, steps):
            if expect == "one":
                met = met and cursor.rowcount == 1
            elif expect == "row":
                met = met and cursor.fetchone() is not None
            elif expect is not None:
                met = met and cursor.fetchone() == expect
            cursor.close()
        return met

    def stamp(self, moment: datetime):
        """A timestamp as the driver stores it (SQLAlchemy's SQLite format)."""
        if self.dialect == "sqlite":
            return moment.isoformat(" ")  # what SQLAlchemy writes and parses, cheaper than strftime
        return moment


@contextmanager
def transaction():
    """Commit on success, roll back on any exception."""
    engine = db.engine
    dialect = engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):  # pragma: no cover - not a supported target
        raise RuntimeError(f"unsupported database dialect {dialect}")
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        if dialect == "sqlite":
            # Take the write lock up front: two deferred transactions that
            # both try to upgrade would fail instead of waiting their turn.
            cursor.execute("BEGIN IMMEDIATE")
        yield Tx(cursor, dialect)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()  # back to the pool

"""Shared column helpers."""
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Integer

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so every timestamp is UTC by rule."""
    return datetime.now(timezone.utc).replace(tzinfo=None)

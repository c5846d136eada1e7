"""The append-only ledger: every change of a balance is one entry here, and a
balance always equals the sum of its account's entries."""
from sqlalchemy import literal_column, text

from extensions import db
from models.base import BigId, utcnow

# Kinds of entry. Credits in: topup, purchase, bonus, release, refund, adjust
# (either sign). Credits out: reserve, charge.
KINDS = ("topup", "purchase", "bonus", "reserve", "release", "charge", "refund", "adjust")
# `kind = 'reserve'` as a literal, not a bound parameter, so that a query
# for holds always matches the partial index below (PostgreSQL's generic plan
# of a prepared statement cannot match a parameter against an index's WHERE).
RESERVE = literal_column("'reserve'")
_RESERVES_ONLY = text("kind = 'reserve'")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    # Only reservations, for the sweeper and the holds gauge: the entries
    # every request adds besides (release, charge) skip this index.
    __table_args__ = (db.Index("ix_ledger_reserves_created", "created_at",
                               sqlite_where=_RESERVES_ONLY, postgresql_where=_RESERVES_ONLY),)

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    account_id = db.Column(db.Integer, db.ForeignKey("accounts.id"), nullable=False, index=True)
    key_id = db.Column(db.Integer)  # the API key behind a reserve/release/charge
    amount = db.Column(db.BigInteger, nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    ref = db.Column(db.String(64))  # request id, order number, ...
    # Unique: the same operation can never be booked twice.
    idempotency_key = db.Column(db.String(128), nullable=False, unique=True)
    note = db.Column(db.String(255))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

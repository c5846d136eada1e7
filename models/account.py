"""Wallets and the people who may own them."""
from flask_login import UserMixin

from extensions import db
from models.base import utcnow


class Account(db.Model):
    """A wallet: the balance lives here, in integer credits. It only changes
    together with a ledger entry (services.billing.ledger)."""

    __tablename__ = "accounts"
    __table_args__ = (db.CheckConstraint("balance >= 0", name="balance_nonnegative"),)

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, default="")
    email = db.Column(db.String(255), index=True)  # contact; guest buyers are found by it
    balance = db.Column(db.BigInteger, nullable=False, default=0)
    status = db.Column(db.String(16), nullable=False, default="active")  # active | suspended
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    keys = db.relationship("ApiKey", back_populates="account", lazy="dynamic")


class User(UserMixin, db.Model):
    """A person who signs in to the dashboard; may own one account."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), nullable=False, unique=True)
    password_hash = db.Column(db.String(255))
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    account_id = db.Column(db.Integer, db.ForeignKey("accounts.id"), index=True)
    # Bumped on sign-out and password change: sessions carrying an older
    # value are refused server-side.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime)

    account = db.relationship("Account")

"""API keys. Only an HMAC digest, a visible prefix and the last four
characters are stored; the full key is shown once at creation."""
from extensions import db
from models.base import utcnow

KEY_ACTIVE = "active"
KEY_DISABLED = "disabled"


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("accounts.id"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False, default="")
    digest = db.Column(db.String(64), nullable=False, unique=True)
    prefix = db.Column(db.String(16), nullable=False)
    last4 = db.Column(db.String(4), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=KEY_ACTIVE)
    # Optional own limits; None means "no own limit" (the account balance and
    # the configured defaults still apply).
    spend_cap = db.Column(db.BigInteger)
    # Credits charged through this key, with open reservations included while
    # requests are in flight (so the spend cap holds under concurrency).
    spent = db.Column(db.BigInteger, nullable=False, default=0)
    expires_at = db.Column(db.DateTime)
    allowed_models = db.Column(db.JSON)  # list of model ids, or None for all
    rpm = db.Column(db.Integer)
    rpd = db.Column(db.Integer)
    tpm = db.Column(db.Integer)              # tokens per minute (prompt + completion)
    max_concurrency = db.Column(db.Integer)  # requests in flight at once
    # Keep sending this key's requests for a model to the same channel while
    # it is healthy: upstream prompt caches stay warm.
    sticky_routing = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)

    account = db.relationship("Account", back_populates="keys")

    @property
    def masked(self) -> str:
        return f"sk-****{self.last4}"

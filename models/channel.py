"""Upstream channels: where requests for a model are sent."""
from extensions import db
from models.base import utcnow
from services.catalog.dialects import speaks_of


class Channel(db.Model):
    __tablename__ = "channels"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    provider = db.Column(db.String(32), nullable=False)  # adapter kind: openai | anthropic | demo
    base_url = db.Column(db.String(500), nullable=False, default="")
    # Fernet token (services.secrets); never logged, never rendered.
    api_key_encrypted = db.Column(db.Text)
    models = db.Column(db.JSON, nullable=False, default=list)  # client-facing model ids served
    model_map = db.Column(db.JSON, nullable=False, default=dict)  # client id -> upstream name
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    priority = db.Column(db.Integer, nullable=False, default=0)
    weight = db.Column(db.Integer, nullable=False, default=1)
    # The dialects the upstream speaks, comma-separated (services.catalog.dialects);
    # NULL: the provider kind's default. The operator says; nothing probes.
    speaks = db.Column(db.String(255))
    # Seconds; None: the configured defaults.
    connect_timeout = db.Column(db.Float)
    first_byte_timeout = db.Column(db.Float)
    idle_timeout = db.Column(db.Float)  # longest silence between stream chunks
    # Why the relay took the channel out of service (an upstream 401: its key
    # is bad), until the operator enables it again.
    disabled_reason = db.Column(db.String(255))
    # Last health check and upstream balance, for the admin.
    checked_at = db.Column(db.DateTime)
    check_ok = db.Column(db.Boolean)
    check_latency_ms = db.Column(db.Integer)
    check_error = db.Column(db.String(255))
    upstream_balance = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def upstream_name(self, model_id: str) -> str:
        return (self.model_map or {}).get(model_id, model_id)

    @property
    def speaks_list(self) -> tuple[str, ...]:
        """What the channel speaks: the stored value or the provider default."""
        return speaks_of(self.provider, self.speaks)

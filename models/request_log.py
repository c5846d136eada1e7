"""One row per authenticated /v1 request."""
from extensions import db
from models.base import BigId, utcnow


class RequestLog(db.Model):
    __tablename__ = "request_logs"
    __table_args__ = (db.Index("ix_request_logs_key_created", "key_id", "created_at"),)

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    request_id = db.Column(db.String(40), nullable=False, unique=True)
    account_id = db.Column(db.Integer, index=True)
    key_id = db.Column(db.Integer)
    door = db.Column(db.String(16), nullable=False, default="openai")  # client dialect
    model = db.Column(db.String(128))
    upstream_model = db.Column(db.String(128))
    channel_id = db.Column(db.Integer)
    stream = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.Integer, nullable=False)
    error_code = db.Column(db.String(40))
    latency_ms = db.Column(db.Integer)
    ttft_ms = db.Column(db.Integer)
    prompt_tokens = db.Column(db.Integer, nullable=False, default=0)
    completion_tokens = db.Column(db.Integer, nullable=False, default=0)
    cached_tokens = db.Column(db.Integer, nullable=False, default=0)
    credits = db.Column(db.BigInteger, nullable=False, default=0)
    estimated = db.Column(db.Boolean, nullable=False, default=False)  # usage estimated locally
    client_ip = db.Column(db.String(64))
    user_agent = db.Column(db.String(255))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

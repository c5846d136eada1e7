"""Responses kept for `previous_response_id` and GET /v1/responses/{id}."""
from extensions import db
from models.base import utcnow


class StoredResponse(db.Model):
    __tablename__ = "stored_responses"

    id = db.Column(db.String(80), primary_key=True)  # the response's id, as its client saw it
    account_id = db.Column(db.Integer, nullable=False, index=True)
    key_id = db.Column(db.Integer)
    model = db.Column(db.String(128))
    input_items = db.Column(db.JSON, nullable=False)  # the whole conversation's input, earlier turns included
    response = db.Column(db.JSON, nullable=False)     # the Response object as answered
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False, index=True)

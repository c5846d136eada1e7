"""Work that outlives its request (videos, Midjourney, Suno, image tasks):
one row per task, ours. The provider's id is kept apart and never shown as
the task's id; the hold taken at submit stays open until the task is
settled or released, exactly once (services.tasks.store.finish)."""
from extensions import db
from models.base import utcnow

QUEUED, IN_PROGRESS, SUCCEEDED, FAILED = "queued", "in_progress", "succeeded", "failed"
STATUSES = (QUEUED, IN_PROGRESS, SUCCEEDED, FAILED)
OPEN = (QUEUED, IN_PROGRESS)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (db.Index("ix_tasks_status_poll", "status", "next_poll_at"),)

    id = db.Column(db.String(64), primary_key=True)        # ours: video_…, task_…, mj numbers
    family = db.Column(db.String(32), nullable=False)      # the task dialect (openai.videos, midjourney, …)
    action = db.Column(db.String(32))                      # the family's submit action (imagine, remix, music…)
    account_id = db.Column(db.Integer, nullable=False, index=True)
    key_id = db.Column(db.Integer)
    channel_id = db.Column(db.Integer)
    model = db.Column(db.String(128))                      # as the client asked for it
    upstream_model = db.Column(db.String(128))
    provider_task_id = db.Column(db.String(128))
    request_id = db.Column(db.String(64), nullable=False, unique=True)  # the hold's ledger ref
    hold = db.Column(db.BigInteger, nullable=False, default=0)
    cost = db.Column(db.BigInteger)                        # what it was charged, once finished
    price = db.Column(db.JSON)                             # the model's prices at submit
    status = db.Column(db.String(16), nullable=False, default=QUEUED)
    progress = db.Column(db.Integer, nullable=False, default=0)
    params = db.Column(db.JSON)                            # what the client's views echo (prompt, size, seconds)
    result = db.Column(db.JSON)                            # the family's result (sizes, seconds, …)
    result_url = db.Column(db.Text)                        # the provider's location: relayed, never shown
    upstream_status = db.Column(db.String(64))             # the provider's own word for the status
    upstream_raw = db.Column(db.JSON)                      # its last answer, for the operator
    error = db.Column(db.String(255))
    polls = db.Column(db.Integer, nullable=False, default=0)
    lease_owner = db.Column(db.String(64))
    lease_until = db.Column(db.DateTime)
    next_poll_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    finished_at = db.Column(db.DateTime)

"""What operators did by hand in the admin: who, what, to which row, why."""
from extensions import db
from models.base import BigId, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    actor_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    action = db.Column(db.String(40), nullable=False)   # e.g. order.mark_paid, account.adjust
    target = db.Column(db.String(80))                    # e.g. order:BUY2026..., account:12
    reason = db.Column(db.String(255))
    detail = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

"""The audit log: one row per manual operator action (who, what, to which
row, why). Money operations write theirs inside their own transaction
(pass `conn`); configuration edits write it right after the change. The
admin reads it through services/reports/admin.py (audit_entries)."""
from __future__ import annotations

from sqlalchemy import insert

from extensions import db
from models import AuditEntry
from models.base import utcnow

audit_log = AuditEntry.__table__


def record(actor_user_id: int | None, action: str, target: str | None = None, reason: str | None = None,
           detail: dict | None = None, *, conn=None) -> None:
    values = {"actor_user_id": actor_user_id, "action": action[:40], "target": (target or "")[:80] or None,
              "reason": (reason or "")[:255] or None, "detail": detail or None, "created_at": utcnow()}
    if conn is None:
        with db.engine.begin() as own:
            own.execute(insert(audit_log).values(**values))
    else:
        conn.execute(insert(audit_log).values(**values))


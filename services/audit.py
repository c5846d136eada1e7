"""The audit log: one row per manual operator action (who, what, to which
row, why). Money operations write theirs inside their own transaction
(pass `conn`); configuration edits write it right after the change."""
from __future__ import annotations

from sqlalchemy import insert, select

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


def recent(limit: int = 100, offset: int = 0, action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))

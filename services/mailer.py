"""Mail through an outbox: rows are written in the caller's transaction (so
a delivered key and its mail commit together) and sent by SMTP when
MAIL_SMTP_HOST is set. Without it they stay queued and are logged, and the
operator reads them with `flask outbox show ID`."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import insert, select, update

from extensions import db
from models import Outbox
from models.base import utcnow
from services.crypto import decrypt_secret, encrypt_secret

log = logging.getLogger("tollgate.mail")
outbox = Outbox.__table__


def queue(conn, to_email: str, subject: str, body: str, ref: str | None = None) -> None:
    conn.execute(insert(outbox).values(
        to_email=to_email, subject=subject[:200], ref=ref, status="queued", attempts=0,
        body_ciphertext=encrypt_secret(current_app.config["SECRET_KEY"], body), created_at=utcnow()))


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SMTP_HOST"))


def body_of(row: Outbox) -> str:
    return decrypt_secret(current_app.config["SECRET_KEY"], row.body_ciphertext)


def send_queued(ref: str | None = None, limit: int = 50) -> dict:
    """Send queued mail (only what `ref` names, if given). Returns counts."""
    stmt = select(Outbox).where(Outbox.status == "queued").order_by(Outbox.id).limit(limit)
    if ref is not None:
        stmt = stmt.where(Outbox.ref == ref)
    rows = list(db.session.scalars(stmt))
    if not configured():
        for row in rows:
            log.info("mail not configured: message %s to %s (%s) kept in the outbox",
                     row.id, row.to_email, row.subject)
        return {"sent": 0, "failed": 0, "kept": len(rows)}
    counts = {"sent": 0, "failed": 0, "kept": 0}
    for row in rows:
        try:
            _smtp_send(row.to_email, row.subject, body_of(row))
            values = {"status": "sent", "sent_at": utcnow(), "attempts": row.attempts + 1}
            counts["sent"] += 1
        except (OSError, smtplib.SMTPException) as exc:
            failed = row.attempts + 1 >= 5
            values = {"status": "failed" if failed else "queued", "attempts": row.attempts + 1,
                      "last_error": f"{type(exc).__name__}: {exc}"[:255]}
            counts["failed"] += 1
            log.warning("mail %s to %s failed: %s", row.id, row.to_email, type(exc).__name__)
        db.session.execute(update(outbox).where(outbox.c.id == row.id, outbox.c.status == "queued")
                           .values(**values))
        db.session.commit()
    return counts


def _smtp_send(to_email: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or config.get("MAIL_SMTP_USER") or "tollgate@localhost"
    message["To"] = to_email
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], timeout=15) as smtp:
        if config.get("MAIL_SMTP_TLS"):
            smtp.starttls()
        if config.get("MAIL_SMTP_USER"):
            smtp.login(config["MAIL_SMTP_USER"], config.get("MAIL_SMTP_PASSWORD") or "")
        smtp.send_message(message)

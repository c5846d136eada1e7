"""Read-only views over the books for the operator's admin: the overview's
counts, order and account search, account detail, request-log and audit-log
search. Every function takes plain arguments and returns rows or dicts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, or_, select

from extensions import db
from models import Account, ApiKey, AuditEntry, Channel, LedgerEntry, LlmModel, Order, RequestLog, User
from models.base import utcnow
from services.reports.usage import log_conditions

PAGE_SIZE = 50
MAX_PAGE = 100_000  # nobody pages this deep; the bound keeps the OFFSET a size every driver takes


@dataclass(frozen=True)
class Page:
    rows: list
    page: int
    has_next: bool


def _page(stmt, page: int, size: int = PAGE_SIZE) -> Page:
    page = min(max(page, 1), MAX_PAGE)
    rows = list(db.session.scalars(stmt.limit(size + 1).offset((page - 1) * size)))
    return Page(rows[:size], page, len(rows) > size)


def overview() -> dict:
    start = datetime.combine(utcnow().date(), time.min)

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    today = db.session.execute(
        select(func.count(), func.coalesce(func.sum(RequestLog.credits), 0))
        .where(RequestLog.created_at >= start)).one()
    return {
        "accounts": count(Account), "users": count(User), "keys": count(ApiKey),
        "channels": count(Channel), "channels_enabled": count(Channel, Channel.enabled.is_(True)),
        "models": count(LlmModel), "orders_pending": count(Order, Order.status == "pending"),
        "orders_paid_today": count(Order, Order.status == "paid", Order.paid_at >= start),
        "requests_today": today[0], "credits_today": int(today[1]),
        "errors_today": count(RequestLog, RequestLog.created_at >= start, RequestLog.status >= 500),
    }


def search_orders(*, order_no: str = "", email: str = "", status: str = "", page: int = 1,
                  size: int = PAGE_SIZE) -> Page:
    """Newest first (the admin's order search and `flask orders list`)."""
    stmt = select(Order).order_by(Order.id.desc())
    if order_no.strip():
        stmt = stmt.where(Order.order_no.contains(order_no.strip().upper(), autoescape=True))
    if email.strip():
        stmt = stmt.where(func.lower(Order.contact_email).contains(email.strip().lower(), autoescape=True))
    if status:
        stmt = stmt.where(Order.status == status)
    return _page(stmt, page, size)


def find_order(order_no: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.order_no == order_no))


def search_accounts(email: str = "", page: int = 1) -> Page:
    """Accounts whose contact email or whose user's email contains `email`."""
    stmt = select(Account).order_by(Account.id.desc())
    needle = email.strip().lower()
    if needle:
        users = select(User.account_id).where(func.lower(User.email).contains(needle, autoescape=True))
        stmt = stmt.where(or_(func.lower(Account.email).contains(needle, autoescape=True), Account.id.in_(users)))
    return _page(stmt, page)


def users_without_account(email: str = "") -> list[User]:
    stmt = select(User).where(User.account_id.is_(None)).order_by(User.id.desc()).limit(PAGE_SIZE)
    if email.strip():
        stmt = stmt.where(func.lower(User.email).contains(email.strip().lower(), autoescape=True))
    return list(db.session.scalars(stmt))


def account_detail(account_id: int, ledger_page: int = 1) -> dict | None:
    account = db.session.get(Account, account_id)
    if account is None:
        return None
    return {
        "account": account,
        "users": list(db.session.scalars(select(User).where(User.account_id == account_id).order_by(User.id))),
        "keys": list(db.session.scalars(select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.id))),
        "entries": _page(select(LedgerEntry).where(LedgerEntry.account_id == account_id)
                         .order_by(LedgerEntry.id.desc()), ledger_page),
        "orders": list(db.session.scalars(select(Order).where(Order.account_id == account_id)
                                          .order_by(Order.id.desc()).limit(20))),
    }


def request_logs(*, account_id: int | None = None, key_id: int | None = None, model: str = "",
                 status: str = "", day: date | None = None, page: int = 1) -> Page:
    """Newest first. `status`: "ok" (below 400), "error" (400 and up) or an
    exact HTTP status; `day` a UTC date."""
    where = log_conditions(account_id=account_id, key_id=key_id, model=model.strip(), status=status,
                           date_from=day, date_to=day)
    return _page(select(RequestLog).where(*where).order_by(RequestLog.id.desc()), page)


def audit_entries(*, action: str = "", page: int = 1) -> Page:
    """The audit log, newest first; `action` an exact action name."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action.strip():
        stmt = stmt.where(AuditEntry.action == action.strip())
    return _page(stmt, page)


def user_emails(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())

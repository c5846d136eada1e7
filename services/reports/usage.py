"""What an account spent, read from its request log: totals, credits per
day and per model, the log itself with filters and pages, and its orders.
Every query is scoped to one account id."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from extensions import db
from models import Account, ApiKey, Order, RequestLog
from models.base import utcnow
from services.identity.key_admin import KEY_DELETED

PAGE_SIZE = 50


@dataclass
class Overview:
    balance: int = 0
    keys: int = 0
    active_keys: int = 0
    spent_7d: int = 0
    requests_7d: int = 0


@dataclass
class Daily:
    days: list[tuple[date, int, int]]      # (day, credits, requests), oldest first, every day present
    models: list[tuple[str, int, int]]     # (model, credits, requests), most credits first
    total: int = 0
    # Credits per day and model: {day: {model: credits}} (days with use only).
    by_model: dict = field(default_factory=dict)


@dataclass
class LogFilter:
    key_id: int | None = None
    model: str | None = None
    status: str | None = None   # ok | error
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


@dataclass
class LogPage:
    rows: list = field(default_factory=list)
    page: int = 1
    pages: int = 1
    total: int = 0


def _since(days: int, today: date | None = None) -> datetime:
    today = today or utcnow().date()
    return datetime.combine(today - timedelta(days=days - 1), time())


def overview(account_id: int | None) -> Overview:
    if account_id is None:
        return Overview()
    balance = db.session.scalar(select(Account.balance).where(Account.id == account_id)) or 0
    counts = db.session.execute(
        select(ApiKey.status, func.count(ApiKey.id)).where(ApiKey.account_id == account_id,
                                                           ApiKey.status != KEY_DELETED)
        .group_by(ApiKey.status)).all()
    spent, requests = db.session.execute(
        select(func.coalesce(func.sum(RequestLog.credits), 0), func.count(RequestLog.id))
        .where(RequestLog.account_id == account_id, RequestLog.created_at >= _since(7))).one()
    return Overview(balance=balance, keys=sum(n for _, n in counts),
                    active_keys=sum(n for s, n in counts if s == "active"),
                    spent_7d=int(spent or 0), requests_7d=requests)


def _day(value) -> date:
    # func.date() gives a date on PostgreSQL and text on SQLite.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def daily(account_id: int | None, days: int = 30, today: date | None = None) -> Daily:
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    if account_id is None:
        return Daily(days=[(first + timedelta(days=i), 0, 0) for i in range(days)], models=[])
    scope = (RequestLog.account_id == account_id, RequestLog.created_at >= datetime.combine(first, time()))
    day = func.date(RequestLog.created_at)
    per_day = {_day(d): (int(c or 0), n) for d, c, n in db.session.execute(
        select(day, func.sum(RequestLog.credits), func.count(RequestLog.id)).where(*scope).group_by(day))}
    by_model: dict = {}
    for d, m, c in db.session.execute(select(day, RequestLog.model, func.sum(RequestLog.credits))
                                      .where(*scope).group_by(day, RequestLog.model)):
        if c:
            by_model.setdefault(_day(d), {})[m or "-"] = int(c)
    per_model = db.session.execute(
        select(RequestLog.model, func.sum(RequestLog.credits), func.count(RequestLog.id)).where(*scope)
        .group_by(RequestLog.model)).all()
    series = [(first + timedelta(days=i),) + per_day.get(first + timedelta(days=i), (0, 0)) for i in range(days)]
    models = sorted(((m or "-", int(c or 0), n) for m, c, n in per_model), key=lambda r: (-r[1], r[0]))
    return Daily(days=series, models=models, total=sum(c for _, c, _ in series), by_model=by_model)


def log_conditions(*, account_id: int | None = None, key_id: int | None = None, model: str | None = None,
                   status: str | None = None, date_from: date | None = None,
                   date_to: date | None = None) -> list:
    """WHERE conditions on request_logs, shared by the dashboard and the
    admin. `status`: "ok" (below 400), "error" (400 and up) or an exact HTTP
    status; dates are UTC days, both ends included."""
    where = []
    if account_id is not None:
        where.append(RequestLog.account_id == account_id)
    if key_id is not None:
        where.append(RequestLog.key_id == key_id)
    if model:
        where.append(RequestLog.model == model)
    if status == "ok":
        where.append(RequestLog.status < 400)
    elif status == "error":
        where.append(RequestLog.status >= 400)
    elif status and status.isascii() and status.isdigit() and len(status) <= 3:  # not "²" or 30 digits
        where.append(RequestLog.status == int(status))
    if date_from:
        where.append(RequestLog.created_at >= datetime.combine(date_from, time()))
    if date_to and date_to < date.max:  # the last day datetime can hold has no next day to stop at
        where.append(RequestLog.created_at < datetime.combine(date_to + timedelta(days=1), time()))
    return where


def request_log(account_id: int | None, wanted: LogFilter) -> LogPage:
    if account_id is None:
        return LogPage()
    where = log_conditions(account_id=account_id, key_id=wanted.key_id, model=wanted.model,
                           status=wanted.status, date_from=wanted.date_from, date_to=wanted.date_to)
    total = db.session.scalar(select(func.count(RequestLog.id)).where(*where))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, wanted.page), pages)
    rows = db.session.scalars(select(RequestLog).where(*where)
                              .order_by(RequestLog.created_at.desc(), RequestLog.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return LogPage(rows=list(rows), page=page, pages=pages, total=total)


def key_names(account_id: int | None) -> dict[int, str]:
    """Every key of the account by id, deleted ones too (old log rows name them)."""
    if account_id is None:
        return {}
    return dict(db.session.execute(select(ApiKey.id, ApiKey.name).where(ApiKey.account_id == account_id)).all())


def orders(account_id: int | None, limit: int = 200) -> list[Order]:
    if account_id is None:
        return []
    return list(db.session.scalars(select(Order).where(Order.account_id == account_id)
                                   .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)))

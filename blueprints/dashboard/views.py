"""Overview, usage, orders and settings pages, and claiming a purchase."""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.dashboard import bp
from blueprints.dashboard.chart import daily_chart
from blueprints.session_auth import no_store
from extensions import limiter
from models.base import utcnow
from services.identity import claims, key_admin, users
from services.reports import usage
from services.tasks import store as task_store
from i18n import N_

# orders.html shows a status as _(order.status.capitalize()).
ORDER_STATUSES = (N_("Pending"), N_("Paid"), N_("Closed"), N_("Refunded"))


def my_account() -> int | None:
    return current_user.account_id


@bp.context_processor
def _helpers():
    return {"now": utcnow(), "one_second": timedelta(seconds=1)}


bp.after_request(no_store)


@bp.get("/")
@login_required
def index():
    account = my_account()
    return render_template("dashboard/index.html", overview=usage.overview(account),
                           keys=key_admin.list_keys(account)[:5])


def _date(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    # The log query adds a day to the end date: keep clear of date.max.
    return day if day is None or 1 < day.year < 9999 else None


def _int(value: str | None) -> int | None:
    """A filter or page number; anything else (or absurdly large) is no filter."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    return int(value)


@bp.get("/usage")
@login_required
def usage_page():
    account = my_account()
    args = request.args
    wanted = usage.LogFilter(key_id=_int(args.get("key")), model=(args.get("model") or "").strip()[:128] or None,
                             status=args.get("status") if args.get("status") in ("ok", "error") else None,
                             date_from=_date(args.get("from")), date_to=_date(args.get("to")),
                             page=_int(args.get("page")) or 1)
    daily = usage.daily(account)
    log = usage.request_log(account, wanted)
    query = {k: v for k, v in (("key", args.get("key")), ("model", wanted.model), ("status", wanted.status),
                               ("from", args.get("from")), ("to", args.get("to"))) if v}
    return render_template("dashboard/usage.html", daily=daily, chart=daily_chart(daily.days, daily.by_model, daily.models), log=log,
                           wanted=wanted, query=query, key_names=usage.key_names(account),
                           tasks=task_store.recent(account, limit=20) if account is not None else [])


@bp.get("/orders")
@login_required
def orders():
    return render_template("dashboard/orders.html", orders=usage.orders(my_account()))


@bp.get("/settings")
@login_required
def settings():
    return render_template("dashboard/settings.html")


@bp.post("/claim")
@login_required
@limiter.limit(lambda: "10 per hour", key_func=lambda: f"claim:{current_user.get_id()}")
def claim():
    form = request.form
    try:
        claims.claim_guest_purchase(current_user.id, form.get("order_no"))
    except users.UserError as exc:
        flash(_(exc.template, **exc.values), "error")
        return redirect(url_for("dashboard.settings"), 303)
    flash(_("The purchase is now in your account."), "ok")
    return redirect(url_for("dashboard.keys"), 303)

"""Request logs across all keys, the ledger check, the audit log."""
from flask import render_template, request

from blueprints.admin import bp
from blueprints.admin.forms import day_arg, int_arg, page_arg
from services import audit, ledger, reports


@bp.get("/logs")
def logs():
    args = {"account_id": int_arg("account"), "key_id": int_arg("key"), "model": request.args.get("model", ""),
            "status": request.args.get("status", ""), "day": day_arg("date")}
    found = reports.request_logs(**args, page=page_arg())
    return render_template("admin/logs.html", found=found, args=request.args)


@bp.get("/ledger")
def ledger_check():
    return render_template("admin/ledger.html", problems=ledger.verify())


@bp.get("/audit")
def audit_log():
    page = page_arg()
    rows = audit.recent(limit=reports.PAGE_SIZE + 1, offset=(page - 1) * reports.PAGE_SIZE,
                        action=request.args.get("action") or None)
    rows = rows[:reports.PAGE_SIZE]
    return render_template("admin/audit.html", rows=rows, page=page,
                           emails=reports.user_emails(r.actor_user_id for r in rows),
                           has_next=len(rows) > reports.PAGE_SIZE, action=request.args.get("action", ""))

"""Request logs across all keys, the ledger check, the audit log."""
from flask import render_template, request

from blueprints.admin import bp
from blueprints.admin.forms import day_arg, id_arg, page_arg
from services.billing import ledger
from services.reports import admin as reports


@bp.get("/logs")
def logs():
    args = {"account_id": id_arg("account"), "key_id": id_arg("key"), "model": request.args.get("model", ""),
            "status": request.args.get("status", ""), "day": day_arg("date")}
    found = reports.request_logs(**args, page=page_arg())
    return render_template("admin/logs.html", found=found, args=request.args)


@bp.get("/ledger")
def ledger_check():
    return render_template("admin/ledger.html", problems=ledger.verify())


@bp.get("/audit")
def audit_log():
    action = request.args.get("action", "")
    found = reports.audit_entries(action=action, page=page_arg())
    return render_template("admin/audit.html", found=found, action=action,
                           emails=reports.user_emails(r.actor_user_id for r in found.rows))

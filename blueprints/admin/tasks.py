"""Tasks (videos, Midjourney, Suno, image tasks): the latest, by status and
account, and failing a stuck one (its hold released, audited)."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.admin import bp
from blueprints.admin.forms import done, failed, id_arg, text
from i18n import N_
from models.task import STATUSES
from services.tasks import store


@bp.get("/tasks")
def tasks():
    status = request.args.get("status", "")
    found = store.recent(id_arg("account"), limit=100, status=status if status in STATUSES else None)
    return render_template("admin/tasks.html", tasks=found, counts=store.counts(), statuses=STATUSES,
                           args=request.args)


@bp.post("/tasks/<task_id>/fail")
def task_fail(task_id: str):
    reason = text("reason")
    if not reason:
        failed(N_("Say why the task is failed; nothing changed."))
    elif store.fail_by_operator(task_id, current_user.id, reason) is None:
        failed(N_("Task %(id)s is not open; nothing changed."), id=task_id)
    else:
        done(N_("Task %(id)s failed; its hold is released."), id=task_id)
    return redirect(url_for("admin.tasks", **request.args))

"""Key pages: list and create (the full key is shown once, on the answer to
the create form), then per key: rename, caps, disable, delete. Another
account's key, or a deleted one, is a 404 for every action."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.dashboard import bp
from services.identity import claims, key_admin, users
from services.identity.key_admin import KeyError_
from i18n import N_


def _caps_from(form) -> key_admin.Caps:
    return key_admin.parse_caps(spend_cap=form.get("spend_cap"), expires_at=form.get("expires_at"),
                                   allowed_models=form.get("allowed_models"), rpm=form.get("rpm"))


def _owned(key_id: int):
    key = key_admin.get_key(current_user.account_id, key_id)
    if key is None:
        abort(404)
    return key


@bp.get("/keys")
@login_required
def keys():
    return render_template("dashboard/keys.html", keys=key_admin.list_keys(current_user.account_id))


@bp.post("/keys")
@login_required
def create_key():
    form = request.form
    try:
        caps = _caps_from(form)
        account = claims.ensure_account(current_user.id)
        key, raw = key_admin.create(account, form.get("name"), caps)
    except KeyError_ as exc:
        return render_template("dashboard/keys.html", keys=key_admin.list_keys(current_user.account_id),
                               error=_(exc.template, **exc.values), form=form), 400
    # The only time the full key exists outside the client: this page.
    return render_template("dashboard/key_created.html", key=key, raw=raw), 201


@bp.get("/keys/<int:key_id>")
@login_required
def key(key_id: int):
    return render_template("dashboard/key.html", key=_owned(key_id))


def _back(key_id: int, message: str):
    flash(_(message), "ok")
    return redirect(url_for("dashboard.key", key_id=key_id), 303)


def _refused(key, exc: KeyError_):
    return render_template("dashboard/key.html", key=key, error=_(exc.template, **exc.values), form=request.form), 400


@bp.post("/keys/<int:key_id>/rename")
@login_required
def rename_key(key_id: int):
    key = _owned(key_id)
    try:
        key_admin.rename(current_user.account_id, key.id, request.form.get("name"))
    except KeyError_ as exc:
        return _refused(key, exc)
    return _back(key_id, N_("Key renamed."))


@bp.post("/keys/<int:key_id>/caps")
@login_required
def key_caps(key_id: int):
    key = _owned(key_id)
    try:
        key_admin.set_caps(current_user.account_id, key.id, _caps_from(request.form))
    except KeyError_ as exc:
        return _refused(key, exc)
    return _back(key_id, N_("Limits saved."))


@bp.post("/keys/<int:key_id>/disable")
@login_required
def disable_key(key_id: int):
    _owned(key_id)
    key_admin.disable(current_user.account_id, key_id)
    return _back(key_id, N_("Key revoked. Requests with it are refused from now on."))


@bp.post("/keys/<int:key_id>/delete")
@login_required
def delete_key(key_id: int):
    _owned(key_id)
    key_admin.delete(current_user.account_id, key_id)
    flash(_("Key deleted."), "ok")
    return redirect(url_for("dashboard.keys"), 303)

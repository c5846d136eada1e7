"""Users and accounts: search by email, detail (users, keys, balance,
ledger), adjust the balance with a reason, suspend, disable a key."""
import secrets

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.admin import bp
from blueprints.admin.forms import ID, FormError, audited, done, failed, integer, page_arg, refused, text
from extensions import db
from models import KEY_ACTIVE, ApiKey
from services.billing import accounts as account_service
from services.reports import admin as reports
from services.identity.keys import disable_key
from services.billing.ledger import InsufficientCredits
from i18n import N_

# accounts.html and account.html show a status as _(status): an account's
# and a key's (the key states are "active", "disabled", "deleted").
STATUSES = (N_("active"), N_("suspended"), N_("disabled"), N_("deleted"))


@bp.get("/accounts")
def accounts():
    email = request.args.get("email", "")
    return render_template("admin/accounts.html", email=email, found=reports.search_accounts(email, page_arg()),
                           loose_users=reports.users_without_account(email))


@bp.get(f"/accounts/<{ID}:account_id>")
def account(account_id: int):
    detail = reports.account_detail(account_id, page_arg()) or abort(404)
    # A one-time id for the adjust form: submitting it twice books once.
    return render_template("admin/account.html", operation_id=secrets.token_urlsafe(16), **detail)


@bp.post(f"/accounts/<{ID}:account_id>/adjust")
def account_adjust(account_id: int):
    try:
        credits = integer("credits", N_("Credits"), required=True)
        booked = account_service.adjust(account_id, credits, reason=text("reason"), actor_user_id=current_user.id,
                                        operation_id=text("operation_id") or None)
    except (FormError, account_service.AccountError) as exc:
        refused(exc)
    except InsufficientCredits as exc:
        failed(N_("Refused: the balance (%(balance)s credits) cannot go below zero; nothing changed."), balance=f"{exc.balance:,}")
    else:
        if booked:
            done(N_("Balance adjusted by %(credits)s credits."), credits=f"{credits:+,}")
        else:
            failed(N_("This adjustment was already booked (the form was sent twice); nothing changed."))
    return redirect(url_for("admin.account", account_id=account_id))


@bp.post(f"/accounts/<{ID}:account_id>/status")
def account_status(account_id: int):
    status = "suspended" if text("status") == "suspended" else "active"
    try:
        account_service.set_status(account_id, status, actor_user_id=current_user.id, reason=text("reason") or None)
    except account_service.AccountError as exc:
        refused(exc)
    else:
        done(N_("Account %(id)s is now %(status)s."), id=account_id, status=status)
    return redirect(url_for("admin.account", account_id=account_id))


@bp.post(f"/keys/<{ID}:key_id>/disable")
def key_disable(key_id: int):
    key = db.session.get(ApiKey, key_id) or abort(404)
    account_id = key.account_id
    # Only an active key: disabling a key the customer deleted would bring it
    # back into their list as REVOKED.
    if key.status != KEY_ACTIVE:
        failed(N_("Key %(id)s is not active; nothing to do."), id=key_id)
        return redirect(url_for("admin.account", account_id=account_id))
    disable_key(key_id)
    audited("key.disable", f"key:{key_id}", account_id=account_id)
    done(N_("Key %(id)s disabled."), id=key_id)
    return redirect(url_for("admin.account", account_id=account_id))

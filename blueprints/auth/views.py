"""Sign in, register, sign out and change password. The rules live in
services.identity.users; this module parses forms, throttles and renders."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints import session_auth
from blueprints.auth import bp
from extensions import limiter
from services.identity import claims, users
from i18n import N_

WRONG = N_("Email or password is wrong.")
THROTTLED = N_("Too many attempts. Wait a few minutes and try again.")
TEMPLATES = {"auth.sign_in": "auth/sign_in.html", "auth.register": "auth/register.html"}


def client_ip() -> str:
    return "ip:" + (request.remote_addr or "unknown")


def submitted_email() -> str:
    """The per-address throttle counts attempts at an email whether or not
    it has an account, so the limit itself tells nothing."""
    return "email:" + users.normalize_email(request.form.get("email"))[:255]


def _config(name: str):
    return lambda: current_app.config[name]


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no `//` or `\\` tricks."""
    default = url_for("dashboard.index")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


def no_store(page: str):
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(429)
def _throttled(_exc):
    template = TEMPLATES.get(request.endpoint)
    if template is None:
        return render_template("errors/error.html", error=_exc), 429
    return render_template(template, error=_(THROTTLED), email=request.form.get("email", ""),
                           next=request.values.get("next", ""), order_no=request.form.get("order_no", "")), 429


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_config("SIGNIN_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
@limiter.limit(_config("SIGNIN_LIMIT_PER_EMAIL"), key_func=submitted_email, methods=["POST"])
def sign_in():
    target = request.values.get("next", "")
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(target))
        return render_template("auth/sign_in.html", next=target)
    email = request.form.get("email", "")
    user = users.check_credentials(email, request.form.get("password", ""))
    if user is None:
        return no_store(render_template("auth/sign_in.html", error=_(WRONG), email=email, next=target)), 401
    session_auth.sign_in(user)
    return redirect(safe_next(target), 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_config("REGISTER_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def register():
    if request.method == "GET":
        # Prefilled from an order page's "register and claim" link.
        return render_template("auth/register.html", order_no=request.args.get("order_no", "")[:32],
                               email=request.args.get("email", "")[:255])
    form = request.form
    email, order_no = form.get("email", ""), form.get("order_no", "")
    password = form.get("password", "")
    try:
        if password != form.get("confirm", ""):
            raise users.UserError("password_mismatch", N_("The two passwords differ."))
        user = claims.register(email, password, order_no=order_no,
                              trial_credits=current_app.config["TRIAL_CREDITS"])
    except users.UserError as exc:
        return no_store(render_template("auth/register.html", error=_(exc.template, **exc.values), email=email,
                                        order_no=order_no)), 400
    session_auth.sign_in(user)
    flash(_("Welcome! Your account is ready."), "ok")
    return redirect(url_for("dashboard.index"), 303)


@bp.post("/signout")
def sign_out():
    """Ends every session of this user, on every device, server-side."""
    session_auth.sign_out(everywhere=True)
    return redirect(url_for("auth.sign_in"), 303)


@bp.post("/account/password")
@login_required
@limiter.limit(_config("SIGNIN_LIMIT_PER_EMAIL"), key_func=lambda: f"user:{current_user.get_id()}")
def change_password():
    form = request.form
    try:
        if form.get("new_password", "") != form.get("confirm", ""):
            raise users.UserError("password_mismatch", N_("The two passwords differ."))
        user = users.change_password(current_user.id, form.get("current_password", ""),
                                     form.get("new_password", ""))
    except users.UserError as exc:
        flash(_(exc.template, **exc.values), "error")
        return redirect(url_for("dashboard.settings"), 303)
    # Every other session is dead now; this browser stays signed in.
    session_auth.refresh_session(user)
    flash(_("Password changed. Other devices were signed out."), "ok")
    return redirect(url_for("dashboard.settings"), 303)

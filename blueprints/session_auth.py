"""Session sign-in shared by the dashboard and the admin: the user loader,
signing in with a fresh session, and the guards at the edge of each view."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request, session
from flask_login import current_user, login_user, logout_user

from extensions import db
from models import User
from services.identity import users

SESSION_VERSION = "_sv"


def init_app(app) -> None:
    from extensions import login_manager

    login_manager.login_view = "auth.sign_in"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str):
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        # A session minted before the last sign-out or password change is dead.
        if user is None or not users.session_matches(user, session.get(SESSION_VERSION)):
            return None
        return user

    app.before_request(refuse_foreign_origin)

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import jsonify, redirect, url_for

        if request.path.startswith("/api/"):
            body = {"ok": False, "error": {"code": "unauthorized", "message": "Sign in first."}}
            return jsonify(body), 401
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


def sign_in(user: User) -> None:
    """A fresh session: nothing from before sign-in survives (no fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session[SESSION_VERSION] = user.session_version
    session.permanent = True


def sign_out(*, everywhere: bool = True) -> None:
    if current_user.is_authenticated and everywhere:
        users.end_sessions(current_user.id)
    logout_user()
    session.clear()


def refresh_session(user: User) -> None:
    """Keep this browser signed in after a change that ended the others."""
    session[SESSION_VERSION] = user.session_version


def admin_required(view):
    """Operators only. Anonymous visitors are sent to sign in; signed-in
    customers get 403 and learn nothing more."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from extensions import login_manager

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def no_store(response):
    """after_request for signed-in pages and calls: balances, keys, emails and
    orders are one person's business; no browser history, back button or
    shared proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def refuse_foreign_origin():
    """A state-changing request that carries our session cookie but says it
    comes from another site is refused, whatever token it holds: a second
    line behind the CSRF token (OWASP: reject a missing token or a foreign
    Origin). Key-authenticated /v1 calls and cookie-less callers carry no
    session cookie and are not affected."""
    if request.method in SAFE_METHODS or current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None
    origin = request.headers.get("Origin")
    if not origin:
        return None  # older browsers and same-origin form posts may omit it
    host = urlsplit(origin).netloc.lower()
    site = urlsplit(current_app.config.get("SITE_URL") or "").netloc.lower()
    if host and host in (request.host.lower(), site):
        return None
    abort(403, "Cross-site request refused.")

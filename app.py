"""The application factory. Nothing here touches an app at import time."""
from __future__ import annotations

import functools

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from extensions import csrf, db, limiter, login_manager, migrate
from services import logs, metrics
from services.ids import sortable_id
from services.store.payments import check_production_payments

API_PREFIXES = ("/v1", "/api/v1", "/mj/", "/suno/", "/kling/", "/jimeng")  # errors in an API shape
GEMINI_PREFIX = "/v1beta"  # inside "/v1" as a string: checked first
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app(config=None) -> Flask:
    """Build the app. `config` is a config class, or a dict of overrides on
    top of the class TOLLGATE_ENV selects (tests pass dicts)."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.session_interface = _CookieSessionOffApi()
    _configure(app, config)
    _register_request_hooks(app)  # before the limiter's: see _strip_retry_after
    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_commands(app)
    return app


def _configure(app: Flask, config) -> None:
    base = config if isinstance(config, type) else config_module.config_for_env()
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    env = app.config["ENV_NAME"]
    if env == "development" and not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.development_secret_key()
    if env == "production":
        config_module.check_production_secret(app.config.get("SECRET_KEY"))
        check_production_payments(app.config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    from services.relay import rate_storage  # registers its scheme with limits

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or f"{rate_storage.SCHEME}://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # SQLite writers wait for each other instead of failing at once.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    else:
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "pool_size": app.config["DB_POOL_SIZE"], "max_overflow": app.config["DB_MAX_OVERFLOW"],
            "pool_pre_ping": True})
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    logs.configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    metrics.parse_networks(app.config["METRICS_ALLOW_NETWORKS"])  # a typo stops the start, not the scrape


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # 1 KiB pages: a commit writes each page it dirtied to the log whole,
    # and a request's writes dirty one leaf in each of a dozen tables and
    # indexes, so smaller pages make each commit cheaper (bench.ledger:
    # reserve + settle 277 -> 227 us). Only a new, empty database takes it.
    cursor.execute("PRAGMA page_size=1024")
    # WAL lets readers run beside the one writer; NORMAL is durable enough
    # with WAL and keeps each commit cheap.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.BASE_DIR / "migrations"))
    login_manager.init_app(app)
    from blueprints import session_auth

    session_auth.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _hooks_off_api_paths(app)
    import i18n

    i18n.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


class _CookieSessionOffApi(SecureCookieSessionInterface):
    """No cookie session on the key-authenticated API paths: nothing there
    reads or writes one, and a signed-cookie load and save per request was
    ~3% of a /v1 request's CPU. Those requests get Flask's null session,
    which reads as empty, refuses writes and is never saved. The storefront,
    dashboard and admin keep theirs."""

    def open_session(self, app, request):
        if request.path.startswith(API_PREFIXES):  # "/v1" covers /v1beta
            return self.make_null_session(app)
        return super().open_session(app, request)


def _hooks_off_api_paths(app: Flask) -> None:
    """API requests are rate limited once, by api_view
    (blueprints/api_v1/auth.py), which also writes their x-ratelimit-*
    headers. flask-limiter's own before/after hooks find no limit of theirs
    on those paths (there are no default limits) after a walk of exemptions
    and hints each time; the CSRF check and the foreign-Origin guard protect
    cookie sessions, which those paths no longer have, and so does
    flask-login's remember-cookie refresh. All are skipped there and run as
    before everywhere else."""
    from blueprints.api_v1.auth import rate_limit_headers
    from blueprints.session_auth import refuse_foreign_origin

    def skip_api(hook, passthrough):
        @functools.wraps(hook)
        def hook_off_api(*args):
            if request.path.startswith(API_PREFIXES):
                return passthrough(*args)
            return hook(*args)
        return hook_off_api

    def session_only(f) -> bool:
        return (f == limiter._check_request_limit or f is refuse_foreign_origin
                or getattr(f, "__qualname__", "") == "CSRFProtect.init_app.<locals>.csrf_protect")

    before, after = app.before_request_funcs[None], app.after_request_funcs[None]
    before[:] = [skip_api(f, lambda: None) if session_only(f) else f for f in before]
    after[:] = [skip_api(f, lambda response: response)
                if (isinstance(f, functools.partial) and f.args == (limiter,))
                or f == login_manager._update_remember_cookie else f for f in after]
    app.after_request(rate_limit_headers)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _request_id():
        g.request_id = sortable_id("req_")

    @app.after_request
    def _headers(response):
        response.headers["x-request-id"] = g.get("request_id", "")
        return response

    @app.after_request
    def _page_headers(response):
        # Pages load scripts, styles and images from this site only, so an
        # injected tag that slipped past escaping could not run.
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.after_request
    def _fix_retry_after(response):
        # flask-limiter writes Retry-After on every response it counted, as
        # the later of its own reset and any value already there. Only
        # refusals should carry it, and an upstream's own value must win.
        # Registered before the limiter's hook, so it runs after it.
        own = g.get("retry_after")
        if own is not None:
            response.headers["Retry-After"] = str(own)
        elif response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)
        return response


def _register_blueprints(app: Flask) -> None:
    from blueprints.admin import bp as admin
    from blueprints.api_v1 import bp as api_v1
    from blueprints.apidocs import bp as apidocs
    from blueprints.auth import bp as auth
    from blueprints.dashboard import bp as dashboard
    from blueprints.dashboard.tokens_api import bp as tokens_api
    from blueprints.gemini import bp as gemini, bp_v1 as gemini_v1
    from blueprints.metrics import bp as metrics_bp
    from blueprints.payments import bp as payments
    from blueprints.public import bp as public
    from blueprints.store_api import bp as store_api
    from blueprints.storefront import bp as storefront
    from blueprints.task_api import bp as task_api

    app.register_blueprint(api_v1, url_prefix="/v1")
    app.register_blueprint(api_v1, url_prefix="/api/v1", name="api_v1_alias")
    app.register_blueprint(gemini, url_prefix=GEMINI_PREFIX)
    app.register_blueprint(gemini_v1, url_prefix="/v1")  # POST /v1/models/{model}:{action}
    app.register_blueprint(task_api)  # /mj, /suno, /kling, /jimeng
    app.register_blueprint(public)
    app.register_blueprint(apidocs)
    app.register_blueprint(storefront)
    app.register_blueprint(store_api, url_prefix="/api")
    app.register_blueprint(payments)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(auth)
    app.register_blueprint(dashboard, url_prefix="/dashboard")
    app.register_blueprint(tokens_api, url_prefix="/api/tokens")
    app.register_blueprint(admin, url_prefix="/admin")
    # The JSON helper API uses no cookies (callers prove themselves in the
    # body) and Alipay posts its notify without any: no CSRF for either.
    csrf.exempt(store_api)
    csrf.exempt(payments)
    # API clients authenticate with keys, not cookies: no CSRF there. The
    # views are shared by both registrations, so exempt them one by one.
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(("api_v1.", "api_v1_alias.", "gemini.", "gemini_v1.", "task_api.")):
            csrf.exempt(view)


def _register_errors(app: Flask) -> None:
    from blueprints.api_v1.errors import http_error
    from blueprints.gemini.errors import http_error as gemini_http_error
    from blueprints.public import html_error
    from blueprints.store_api import json_http_error

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and exc.code >= 500:
            # A failed flush leaves the session unusable, and the error page
            # itself reads from it (current_user in the header).
            db.session.rollback()
        if request.path == GEMINI_PREFIX or request.path.startswith(GEMINI_PREFIX + "/"):
            return gemini_http_error(exc)
        if request.path.startswith(API_PREFIXES):
            return http_error(exc)
        if request.path.startswith("/api/"):
            return json_http_error(exc)
        return html_error(exc)


def _register_commands(app: Flask) -> None:
    from commands import register

    register(app)

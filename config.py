"""Configuration classes over the environment.

`create_app()` picks a class by TOLLGATE_ENV (development, testing,
production). Secrets have no defaults: production refuses to start without a
strong SECRET_KEY; development keeps a generated one under instance/ so that
keys and encrypted channel secrets survive restarts.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TOLLGATE_INSTANCE_DIR", BASE_DIR / "instance"))


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def database_url(raw: str | None) -> str:
    """Accept the usual postgres URL spellings and pick the psycopg 3 driver,
    which cooperates with gevent."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'tollgate.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Public address of the site, used in docs and payment notify URLs.
    SITE_URL = os.environ.get("SITE_URL") or None
    # The blog's Markdown posts (docs/storefront.md, "The blog").
    BLOG_DIR = os.environ.get("BLOG_DIR") or str(BASE_DIR / "content" / "blog")
    # Number of reverse proxies in front of us whose X-Forwarded-* to trust.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    # /v1 limits and defaults.
    MAX_REQUEST_BYTES = _int("MAX_REQUEST_BYTES", 8 * 1024 * 1024)
    # Audio uploads (/v1/audio/transcriptions, /translations): OpenAI's own limit.
    AUDIO_UPLOAD_MAX_BYTES = _int("AUDIO_UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
    # Image edits carry their images: a body of its own limit (413 over it).
    IMAGE_UPLOAD_MAX_BYTES = _int("IMAGE_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
    DEFAULT_KEY_RPM = _int("DEFAULT_KEY_RPM", 600)
    DEFAULT_KEY_RPD = _int("DEFAULT_KEY_RPD", 0)  # 0: no daily limit
    UNAUTHENTICATED_RPM = _int("UNAUTHENTICATED_RPM", 120)  # per client IP
    # Two counters per key and window: cheap, and no burst at window edges.
    RATELIMIT_STRATEGY = "sliding-window-counter"
    KEY_CACHE_TTL = _float("KEY_CACHE_TTL", 3.0)
    CATALOG_CACHE_TTL = _float("CATALOG_CACHE_TTL", 3.0)
    # Below this many affordable output tokens a request is refused (402)
    # rather than answered uselessly short.
    MIN_USEFUL_OUTPUT_TOKENS = _int("MIN_USEFUL_OUTPUT_TOKENS", 64)
    # Output cap assumed for models that declare none.
    DEFAULT_MAX_OUTPUT_TOKENS = _int("DEFAULT_MAX_OUTPUT_TOKENS", 4096)
    # A reservation whose request never settled (a killed worker) is
    # returned by `flask ledger sweep` after this many seconds.
    HOLD_TTL_SECONDS = _int("HOLD_TTL_SECONDS", 3600)
    RESPONSES_TTL_DAYS = _int("RESPONSES_TTL_DAYS", 30)  # how long /v1/responses keeps stored responses

    # Per worker process. PostgreSQL's default max_connections is 100: keep
    # workers x (pool + overflow) under it.
    DB_POOL_SIZE = _int("DB_POOL_SIZE", 10)
    DB_MAX_OVERFLOW = _int("DB_MAX_OVERFLOW", 10)
    # SQLite: each gunicorn worker checkpoints the write-ahead log this often
    # from a thread of its own, so no request pays for it; 0 leaves it to
    # SQLite (the commit that fills the log checkpoints it).
    SQLITE_CHECKPOINT_SECONDS = _float("SQLITE_CHECKPOINT_SECONDS", 1.0)

    # A stream silent this long gets a keep-alive (`: keep-alive` / `ping`).
    STREAM_PING_SECONDS = _float("STREAM_PING_SECONDS", 10.0)
    # Realtime sessions (/v1/realtime): the prompt tokens one response's
    # hold counts when the model has no context window; the largest client
    # frame accepted; how long a client that hung up mid-response waits for
    # the upstream's response.done after response.cancel (else estimated).
    REALTIME_PROMPT_BOUND_TOKENS = _int("REALTIME_PROMPT_BOUND_TOKENS", 32768)
    REALTIME_MAX_MESSAGE_BYTES = _int("REALTIME_MAX_MESSAGE_BYTES", 16 * 1024 * 1024)
    REALTIME_CANCEL_WAIT_SECONDS = _float("REALTIME_CANCEL_WAIT_SECONDS", 3.0)
    # Upstream timeouts (seconds), unless a channel sets its own. First byte:
    # until the response starts (for a non-stream call, the whole answer).
    # Idle: the longest silence between stream chunks.
    UPSTREAM_CONNECT_TIMEOUT = _float("UPSTREAM_CONNECT_TIMEOUT", 10.0)
    UPSTREAM_FIRST_BYTE_TIMEOUT = _float("UPSTREAM_FIRST_BYTE_TIMEOUT", 300.0)
    UPSTREAM_IDLE_TIMEOUT = _float("UPSTREAM_IDLE_TIMEOUT", 120.0)
    # Channel base URLs may not point at private, loopback, link-local or
    # metadata addresses unless listed here (comma-separated networks or
    # addresses, e.g. "127.0.0.1/32,10.0.0.0/8" for local models).
    UPSTREAM_ALLOWED_NETWORKS = os.environ.get("UPSTREAM_ALLOWED_NETWORKS", "")

    # Failover: channels tried per request while nothing reached the client.
    RELAY_MAX_ATTEMPTS = _int("RELAY_MAX_ATTEMPTS", 3)
    # Circuit breaker per channel and model: this many server failures
    # (5xx, timeouts, refused connections) within the window open it for the
    # cool-down, doubling (up to the maximum) while half-open probes fail.
    BREAKER_ENABLED = _bool("BREAKER_ENABLED", True)
    BREAKER_FAILURES = _int("BREAKER_FAILURES", 5)
    BREAKER_WINDOW_SECONDS = _int("BREAKER_WINDOW_SECONDS", 60)
    BREAKER_COOLDOWN_SECONDS = _float("BREAKER_COOLDOWN_SECONDS", 30.0)
    BREAKER_MAX_COOLDOWN_SECONDS = _float("BREAKER_MAX_COOLDOWN_SECONDS", 600.0)
    # In-process health checks every this many seconds (0: off; use
    # `flask channel check` from cron instead).
    HEALTH_CHECK_SECONDS = _float("HEALTH_CHECK_SECONDS", 0.0)
    # Tasks (videos, Midjourney, Suno, image tasks): each worker polls their
    # upstreams every this many seconds (0: off; run `flask tasks work`
    # instead); a task still open after TASK_TIMEOUT_MINUTES is failed and
    # its hold released; a poller's claim on a task lapses after
    # TASK_LEASE_SECONDS (a killed poller's tasks are picked up again).
    TASK_POLL_SECONDS = _float("TASK_POLL_SECONDS", 5.0)
    TASK_TIMEOUT_MINUTES = _float("TASK_TIMEOUT_MINUTES", 1440.0)
    TASK_LEASE_SECONDS = _float("TASK_LEASE_SECONDS", 60.0)

    MAX_MESSAGES = _int("MAX_MESSAGES", 2000)
    DEFAULT_KEY_CONCURRENCY = _int("DEFAULT_KEY_CONCURRENCY", 0)  # 0: no limit
    DEFAULT_KEY_TPM = _int("DEFAULT_KEY_TPM", 0)  # tokens per minute, 0: no limit

    # What a "unit" is on OpenAI-style billing endpoints that chat front-ends
    # read (they call it USD): this many credits. Default: the package table's
    # 1 CNY = 50,000,000 credits.
    CREDITS_PER_DISPLAY_UNIT = _int("CREDITS_PER_DISPLAY_UNIT", 50_000_000)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = _int("SESSION_DAYS", 14) * 86400
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Credits a newly registered account starts with (0: no free trial).
    TRIAL_CREDITS = _int("TRIAL_CREDITS", 0)
    # Sign-in and registration throttles (flask-limiter syntax). The email
    # limit counts attempts at an address whether or not it exists.
    SIGNIN_LIMIT_PER_IP = os.environ.get("SIGNIN_LIMIT_PER_IP") or "20 per minute; 200 per day"
    SIGNIN_LIMIT_PER_EMAIL = os.environ.get("SIGNIN_LIMIT_PER_EMAIL") or "5 per minute; 30 per hour"
    REGISTER_LIMIT_PER_IP = os.environ.get("REGISTER_LIMIT_PER_IP") or "10 per hour"

    # Payments. `alipay` (当面付 QR) or `dev` (development only: pay with one click).
    PAYMENT_PROVIDER = (os.environ.get("PAYMENT_PROVIDER") or "alipay").strip().lower()
    ALIPAY_APP_ID = os.environ.get("ALIPAY_APP_ID") or None
    ALIPAY_APP_PRIVATE_KEY = os.environ.get("ALIPAY_APP_PRIVATE_KEY") or None
    ALIPAY_PUBLIC_KEY = os.environ.get("ALIPAY_PUBLIC_KEY") or None
    ALIPAY_SELLER_ID = os.environ.get("ALIPAY_SELLER_ID") or None
    ALIPAY_GATEWAY = os.environ.get("ALIPAY_GATEWAY") or "https://openapi.alipay.com/gateway.do"
    ALIPAY_NOTIFY_URL = os.environ.get("ALIPAY_NOTIFY_URL") or None  # default: SITE_URL + /pay/alipay/notify
    # Seconds per gateway call; kept as text so a bad value is named by the
    # provider's settings check rather than failing this import.
    ALIPAY_HTTP_TIMEOUT = os.environ.get("ALIPAY_HTTP_TIMEOUT") or None  # default 15
    # Orders are payable this long. The QR's timeout_express is what is left
    # of it when the QR is made (whole minutes, at least 1m).
    ORDER_TTL_SECONDS = _int("ORDER_TTL_SECONDS", 15 * 60)
    # A page polling a pending order asks the provider at most this often.
    PAYMENT_QUERY_INTERVAL = _float("PAYMENT_QUERY_INTERVAL", 3.0)
    # `flask orders reconcile` queries pending orders older than this.
    RECONCILE_AFTER_SECONDS = _int("RECONCILE_AFTER_SECONDS", 5 * 60)
    # Per client IP, on the storefront's lookups (orders, key previews, quota).
    STOREFRONT_LOOKUP_RPM = _int("STOREFRONT_LOOKUP_RPM", 60)
    # Mail (purchased keys are also sent by mail). Without a host, mail stays
    # in the outbox table for `flask outbox show`.
    MAIL_SMTP_HOST = os.environ.get("MAIL_SMTP_HOST") or None
    MAIL_SMTP_PORT = _int("MAIL_SMTP_PORT", 587)
    MAIL_SMTP_USER = os.environ.get("MAIL_SMTP_USER") or None
    MAIL_SMTP_PASSWORD = os.environ.get("MAIL_SMTP_PASSWORD") or None
    MAIL_SMTP_TLS = _bool("MAIL_SMTP_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM") or None

    # Observability. LOG_FORMAT=json: one JSON object per log line.
    LOG_FORMAT = (os.environ.get("LOG_FORMAT") or "text").strip().lower()
    # WARNING drops the relay's per-request INFO line (the bench runs so).
    LOG_LEVEL = (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    # Who may read /metrics (anyone else gets 404): a bearer token, and/or
    # client networks (comma-separated, e.g. "10.0.0.0/8,127.0.0.1/32";
    # behind a proxy set TRUSTED_PROXIES so the client address is the real one).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    METRICS_ALLOW_NETWORKS = os.environ.get("METRICS_ALLOW_NETWORKS", "")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # gunicorn serves even in development; no reloader
    PAYMENT_PROVIDER = (os.environ.get("PAYMENT_PROVIDER") or "dev").strip().lower()


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Servers under test answer errors as production does, not by raising.
    PROPAGATE_EXCEPTIONS = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or "testing-" + secrets.token_hex(16)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL") or "sqlite://")
    KEY_CACHE_TTL = _float("KEY_CACHE_TTL", 0.0)
    CATALOG_CACHE_TTL = _float("CATALOG_CACHE_TTL", 0.0)
    PAYMENT_PROVIDER = (os.environ.get("PAYMENT_PROVIDER") or "dev").strip().lower()


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # __Host-: browsers accept it only from HTTPS, for this exact host and
    # path /, so a sibling subdomain cannot plant or overwrite it.
    SESSION_COOKIE_NAME = "__Host-tollgate"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for_env() -> type[Config]:
    name = os.environ.get("TOLLGATE_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"TOLLGATE_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def development_secret_key() -> str:
    """A per-checkout random key kept under instance/, never committed."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


WEAK_SECRETS = {"", "secret", "changeme", "change-me", "dev", "development", "123456", "password"}


def check_production_secret(key: str | None) -> None:
    if not key or key.lower() in WEAK_SECRETS or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )

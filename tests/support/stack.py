"""A whole Tollgate on loopback: a migrated database, gunicorn serving the
app, and a test-side app on the same database for seeding and checking."""
from __future__ import annotations

import secrets
import tempfile

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from config import database_url
from extensions import db
from models import LedgerEntry, RequestLog
from services.billing import accounts, ledger
from services.catalog.channels import add_channel
from services.catalog.models import set_model
from services.identity.keys import create_key
from tests.support.servers import GunicornServer

SECRET_KEY = "tollgate-tests-" + secrets.token_hex(16)
# The fake upstreams listen on loopback, which the SSRF guard refuses unless
# the operator allow-lists it: tests do so explicitly.
LOOPBACK = "127.0.0.0/8"


def make_app(db_url: str, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": database_url(db_url), "SECRET_KEY": SECRET_KEY,
              "KEY_CACHE_TTL": 0.0, "CATALOG_CACHE_TTL": 0.0, "UPSTREAM_ALLOWED_NETWORKS": LOOPBACK,
              **overrides}
    return create_app(config)


def server_env(db_url: str, instance_dir: str, **extra) -> dict:
    """The environment a Tollgate server under test runs with."""
    return {"TOLLGATE_ENV": "testing", "DATABASE_URL": db_url, "SECRET_KEY": SECRET_KEY,
            "TOLLGATE_INSTANCE_DIR": instance_dir, "KEY_CACHE_TTL": "0", "CATALOG_CACHE_TTL": "0",
            "UPSTREAM_ALLOWED_NETWORKS": LOOPBACK,
            # Tests of other features provoke upstream errors on purpose; the
            # resilience tests switch breakers on themselves.
            "BREAKER_ENABLED": "0", **extra}


def migrate(app) -> None:
    with app.app_context():
        upgrade()


class Stack:
    def __init__(self, db_url: str, *, workers: int = 1, env: dict | None = None, name: str = "tollgate"):
        self.db_url = db_url
        self.app = make_app(db_url)
        migrate(self.app)
        self.instance_dir = tempfile.mkdtemp(prefix="tollgate-instance-")
        self.server = GunicornServer(server_env(db_url, self.instance_dir, **(env or {})),
                                     workers=workers, name=name)
        self.url = self.server.url
        self.base_url = self.url + "/v1"

    # Seeding -----------------------------------------------------------
    def add_channel(self, name: str, base_url: str, models: list[str], *, provider: str = "openai",
                    api_key: str | None = "sk-upstream-secret-0123456789", model_map=None, **kw):
        with self.app.app_context():
            return add_channel(name, provider, base_url, api_key, models, model_map, **kw).id

    def set_model(self, model_id: str, **fields) -> None:
        with self.app.app_context():
            set_model(model_id, **fields)

    def new_key(self, credits: int, name: str = "test key", **kw) -> tuple[str, int, int]:
        """(plaintext key, key id, account id) on a fresh account."""
        with self.app.app_context():
            account = accounts.create_account(name)
            if credits:
                accounts.grant(account.id, credits, note="test credits")
            key, raw = create_key(account.id, name, **kw)
            return raw, key.id, account.id

    # Checking ----------------------------------------------------------
    def balance(self, account_id: int) -> int:
        with self.app.app_context():
            return ledger.balance_of(account_id)

    def verify(self) -> list:
        with self.app.app_context():
            return ledger.verify()

    def logs(self, account_id: int) -> list[RequestLog]:
        with self.app.app_context():
            rows = db.session.scalars(select(RequestLog).where(RequestLog.account_id == account_id)
                                      .order_by(RequestLog.id)).all()
            db.session.expunge_all()
            return rows

    def entries(self, account_id: int) -> list[LedgerEntry]:
        with self.app.app_context():
            rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account_id)
                                      .order_by(LedgerEntry.id)).all()
            db.session.expunge_all()
            return rows

    def stop(self) -> None:
        self.server.stop()
        with self.app.app_context():
            db.engine.dispose()

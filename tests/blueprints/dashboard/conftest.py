"""One Tollgate under gunicorn for the dashboard tests (generous throttles,
trial credits on), a channel on the fake upstream, and signed-in visitors
over real HTTP."""
from __future__ import annotations

import itertools
import secrets

import pytest
from sqlalchemy import select

from extensions import db
from models import Account, ApiKey, LedgerEntry, User
from tests.blueprints.api_v1.conftest import seed
from tests.support.stack import Stack
from tests.support.web import WebUser

TRIAL = 10_000_000
PASSWORD = "correct horse 1"
GENEROUS = {"SIGNIN_LIMIT_PER_IP": "10000 per minute", "SIGNIN_LIMIT_PER_EMAIL": "10000 per minute",
            "REGISTER_LIMIT_PER_IP": "10000 per minute"}
_n = itertools.count(1)


def new_email(tag: str = "user") -> str:
    return f"{tag}{next(_n)}-{secrets.token_hex(3)}@example.com"


class DashStack(Stack):
    def visitor(self) -> WebUser:
        return WebUser(self.url)

    def user(self, email: str | None = None, password: str = PASSWORD, **extra) -> WebUser:
        """A freshly registered and signed-in visitor (`.email` set)."""
        web = self.visitor()
        email = email or new_email()
        reply = web.register(email, password, **extra)
        assert reply.status_code == 200 and reply.url.endswith("/dashboard/"), reply.text[:500]
        web.email = email.lower()
        web.get("/dashboard/")  # the signed-in page's CSRF token, for JSON calls
        return web

    def account_of(self, email: str) -> int | None:
        with self.app.app_context():
            return db.session.scalar(select(User.account_id).where(User.email == email.lower()))

    def key_row(self, key_id: int) -> ApiKey:
        with self.app.app_context():
            row = db.session.get(ApiKey, key_id)
            db.session.expunge_all()
            return row

    def account_row(self, account_id: int) -> Account:
        with self.app.app_context():
            row = db.session.get(Account, account_id)
            db.session.expunge_all()
            return row

    def entry(self, idempotency_key: str) -> LedgerEntry | None:
        with self.app.app_context():
            row = db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key))
            db.session.expunge_all()
            return row


def start(db_url: str, upstream_v1: str, **env) -> DashStack:
    stack = DashStack(db_url, env={"TRIAL_CREDITS": str(TRIAL), **GENEROUS, **env}, name="dashboard")
    seed(stack, upstream_v1)
    return stack


@pytest.fixture(scope="session")
def dash(tmp_path_factory, fake_upstream):
    stack = start("sqlite:///" + str(tmp_path_factory.mktemp("dash") / "tollgate.db"), fake_upstream.base_url_v1)
    yield stack
    stack.stop()

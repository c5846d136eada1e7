"""Admin test helpers: operators and customers signed in without the
sign-in page (which another branch builds), in process through Flask's test
client or over real HTTP with a session cookie the app itself signs."""
from __future__ import annotations

import re

import pytest
import requests

from extensions import db
from models import User
from services.billing import accounts
from services.identity import users
from tests.support.stack import make_app, migrate

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf[-_]token" (?:value|content)="([^"]+)"')


def make_user(app, email: str, *, is_admin: bool, account: bool = False) -> int:
    with app.app_context():
        account_id = accounts.create_account(email, email).id if account else None
        return users.create_user(email, PASSWORD, is_admin=is_admin, account_id=account_id).id


def session_data(app, user_id: int) -> dict:
    """What session_auth.sign_in leaves in the session."""
    with app.app_context():
        version = db.session.get(User, user_id).session_version
    return {"_user_id": str(user_id), "_fresh": True, "_sv": version}


def sign_in_client(client, user_id: int):
    with client.session_transaction() as s:
        s.update(session_data(client.application, user_id))
    return client


def csrf_of(html: str) -> str:
    return _TOKEN.search(html).group(1)


class HttpOperator:
    """A browser signed in to a gunicorn-served Tollgate: the session cookie
    is signed with the server's SECRET_KEY by the test-side app."""

    def __init__(self, app, base_url: str, user_id: int):
        self.url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False
        cookie = app.session_interface.get_signing_serializer(app).dumps(session_data(app, user_id))
        self.http.cookies.set(app.config.get("SESSION_COOKIE_NAME", "session"), cookie, domain="127.0.0.1")

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.url + path, timeout=60, **kw)

    def post(self, path: str, data: dict, *, page: str | None = None, csrf: bool = True) -> requests.Response:
        data = dict(data)
        if csrf:
            data.setdefault("csrf_token", csrf_of(self.get(page or "/admin/").text))
        return self.http.post(self.url + path, data=data, timeout=60)


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory):
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("admin") / "t.db"))
    migrate(app)
    return app


def operator_client(app, email: str):
    """A test client signed in as the operator `email` (made on first use),
    holding the admin's CSRF token for `post`."""
    ids = app.extensions.setdefault("test_operators", {})
    if email not in ids:
        ids[email] = make_user(app, email, is_admin=True)
    client = sign_in_client(app.test_client(), ids[email])
    client.token = csrf_of(client.get("/admin/").get_data(as_text=True))
    return client


def post(client, path, data):
    """POST a form the way the admin's page would, with its CSRF token."""
    return client.post(path, data={"csrf_token": client.token, **data})

"""Accounts bring passwords and session cookies: after registering, signing
in (right and wrong), changing a password, creating keys and an operator
adding a channel with its upstream key, none of those secrets is in the
server's log, the audit log, the request log or any page served after."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import AuditEntry, RequestLog, User
from services.identity import users
from tests.blueprints.dashboard.conftest import PASSWORD, new_email, start

UPSTREAM_KEY = "sk-upstream-LEAKCHECK-accounts-0123456789"
NEW_PASSWORD = "another LEAKCHECK password 7"


def test_passwords_cookies_and_keys_stay_out_of_logs_and_pages(tmp_path, fake_upstream):
    stack = start("sqlite:///" + str(tmp_path / "leaks.db"), fake_upstream.base_url_v1)
    try:
        customer = stack.user(password=PASSWORD)
        wrong = stack.visitor()
        assert wrong.sign_in(customer.email, "wrong-LEAKCHECK-guess").status_code == 401
        created = customer.api("POST", "/api/tokens", json={"displayName": "leak check"}).json()
        plain_key = created["plainKey"]
        page = customer.post_form("/dashboard/keys", {"name": "page key"}, page="/dashboard/keys")
        page_key = page.text.split('id="api-key">', 1)[1].split("<", 1)[0]
        assert page_key.startswith("sk-")
        customer.post_form("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD}, page="/dashboard/settings")
        cookie = customer.http.cookies.get("session")
        assert cookie
        assert stack.visitor().sign_in(customer.email, NEW_PASSWORD).url.endswith("/dashboard/")

        with stack.app.app_context():
            users.create_user("ops-leaks@example.com", PASSWORD, is_admin=True)
        ops = stack.visitor()
        ops.sign_in("ops-leaks@example.com", PASSWORD)
        added = ops.post_form("/admin/channels/new", {"name": "leaky", "provider": "openai",
                                                      "base_url": fake_upstream.base_url_v1,
                                                      "api_key": UPSTREAM_KEY, "models": "fake-model"})
        assert added.status_code == 200 and "leaky" in added.text
        served = [added.text] + [ops.get(path).text for path in
                                 ("/admin/channels", "/admin/audit", "/admin/logs", "/admin/accounts")]
        served += [customer.get(path).text for path in ("/dashboard/keys", "/dashboard/usage", "/dashboard/settings")]
        served.append(customer.api("GET", "/api/tokens").text)

        with stack.app.app_context():
            stored = [str(tuple(r)) for r in db.session.execute(select(AuditEntry.__table__)).all()]
            stored += [str(tuple(r)) for r in db.session.execute(select(RequestLog.__table__)).all()]
            hashes = db.session.scalars(select(User.password_hash)).all()
        log_text = stack.server.log_text()
        assert any("channel.add" in row for row in stored)

        for secret in (PASSWORD, NEW_PASSWORD, "wrong-LEAKCHECK-guess", cookie, UPSTREAM_KEY, plain_key,
                       page_key, plain_key[3:], page_key[3:]):
            assert secret not in log_text
            assert not any(secret in row for row in stored)
            assert not any(secret in text for text in served)
        assert all(h.startswith("scrypt:") and PASSWORD not in h and NEW_PASSWORD not in h for h in hashes)
    finally:
        stack.stop()

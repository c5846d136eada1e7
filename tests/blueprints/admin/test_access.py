"""Only operators get in: every admin URL, GET and POST, answers a customer
with 403 and an anonymous visitor with the sign-in redirect; a form posted
without its CSRF token is refused and changes nothing."""
from __future__ import annotations

import pytest

from extensions import db
from models import AuditEntry, LedgerEntry
from tests.blueprints.admin.conftest import csrf_of, make_user, sign_in_client

ARGS = {"channel_id": 1, "account_id": 1, "key_id": 1, "order_no": "BUY0", "code": "topup_20", "task_id": "video_0"}


def admin_urls(app) -> list[tuple[str, str]]:
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin."):
                url = url_for(rule.endpoint, **{name: ARGS[name] for name in rule.arguments})
                urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def test_every_admin_route_is_listed(admin_app):
    urls = admin_urls(admin_app)
    assert len(urls) >= 25
    assert ("GET", "/admin/") in urls and ("POST", "/admin/orders/BUY0/refund") in urls


def token_for(client) -> str:
    return csrf_of(client.get("/").get_data(as_text=True))


def test_a_customer_gets_403_everywhere(admin_app):
    client = sign_in_client(admin_app.test_client(), make_user(admin_app, "customer@example.com", is_admin=False,
                                                                account=True))
    token = token_for(client)
    for method, url in admin_urls(admin_app):
        response = client.open(url, method=method, data={"csrf_token": token, "reason": "x", "credits": "5"})
        assert response.status_code == 403, (method, url)
        assert "Admin" not in response.get_data(as_text=True).split("<main")[0]  # no admin link either


def test_anonymous_visitors_are_sent_to_sign_in(admin_app):
    client = admin_app.test_client()
    token = token_for(client)
    for method, url in admin_urls(admin_app):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/signin?next=/admin"), (method, url)


def test_a_stale_session_version_is_not_an_operator(admin_app):
    from services.identity import users

    uid = make_user(admin_app, "old-op@example.com", is_admin=True)
    client = sign_in_client(admin_app.test_client(), uid)
    assert client.get("/admin/").status_code == 200
    with admin_app.app_context():
        users.end_sessions(uid)
    assert client.get("/admin/").status_code == 302


def test_forms_without_csrf_token_are_refused(admin_app):
    client = sign_in_client(admin_app.test_client(), make_user(admin_app, "op-csrf@example.com", is_admin=True,
                                                                account=True))
    with admin_app.app_context():
        before = (db.session.query(LedgerEntry).count(), db.session.query(AuditEntry).count())
    response = client.post("/admin/accounts/1/adjust", data={"credits": "1000", "reason": "no token"})
    assert response.status_code == 400
    response = client.post("/admin/channels/new", data={"name": "x", "provider": "demo", "models": "m"})
    assert response.status_code == 400
    with admin_app.app_context():
        assert (db.session.query(LedgerEntry).count(), db.session.query(AuditEntry).count()) == before
    token = token_for(client)
    response = client.post("/admin/accounts/1/adjust", data={"credits": "1000", "reason": "with token",
                                                             "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/admin/", "/admin/channels", "/admin/orders"])
def test_pages_carry_the_strict_csp(admin_app, path):
    client = sign_in_client(admin_app.test_client(), make_user(admin_app, f"csp{len(path)}@example.com",
                                                                is_admin=True))
    response = client.get(path)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " onclick=" not in html and "style=" not in html

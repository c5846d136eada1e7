"""Register, sign in and out, sessions ended server-side, password change,
no telling which emails exist, CSRF on forms, trial credits."""
from __future__ import annotations

import re

import requests

from services.identity.claims import trial_key
from tests.blueprints.dashboard.conftest import PASSWORD, TRIAL, new_email
from tests.support.untranslated import english_left

TOKEN = re.compile(r'(name="csrf[-_]token" (?:value|content)=)"[^"]+"')


def test_register_signs_in_and_shows_the_dashboard(dash):
    web = dash.user()
    page = web.get("/dashboard/")
    assert page.status_code == 200 and 'id="balance"' in page.text
    assert web.get("/dashboard/settings").text.count(web.email) >= 1
    # Signed out, the dashboard sends visitors to sign in, then back.
    web.sign_out()
    page = web.get("/dashboard/keys", allow_redirects=False)
    assert page.status_code == 302 and page.headers["Location"].startswith("/signin?next=")
    signed = web.post_form("/signin?next=/dashboard/keys", {"email": web.email.upper(), "password": PASSWORD},
                           page="/signin")
    assert signed.url.endswith("/dashboard/keys")


def test_trial_credits_are_booked_once_through_the_ledger(dash):
    web = dash.user()
    account = dash.account_of(web.email)
    entry = dash.entry(trial_key(account))
    assert (entry.kind, entry.amount) == ("bonus", TRIAL)
    assert dash.balance(account) == TRIAL and dash.verify() == []
    assert f"{TRIAL:,}" in web.get("/dashboard/").text


def test_sign_out_ends_the_session_server_side(dash):
    web = dash.user()
    stolen = dict(web.http.cookies)
    assert web.sign_out().url.endswith("/signin")
    replay = requests.get(dash.url + "/dashboard/", cookies=stolen, allow_redirects=False, timeout=10)
    assert replay.status_code == 302 and "/signin" in replay.headers["Location"]
    api = requests.get(dash.url + "/api/tokens", cookies=stolen, timeout=10)
    assert api.status_code == 401 and api.json()["error"]["code"] == "unauthorized"


def test_sign_out_everywhere_ends_other_devices(dash):
    phone = dash.user()
    laptop = dash.visitor()
    laptop.sign_in(phone.email, PASSWORD)
    assert laptop.get("/dashboard/", allow_redirects=False).status_code == 200
    laptop.sign_out()
    assert phone.get("/dashboard/", allow_redirects=False).status_code == 302


def test_password_change_ends_other_sessions_and_keeps_this_one(dash):
    web = dash.user()
    other = dash.visitor()
    other.sign_in(web.email, PASSWORD)
    assert other.get("/dashboard/", allow_redirects=False).status_code == 200
    wrong = web.post_form("/account/password", {"current_password": "not it at all", "new_password": "new pass 123",
                                                "confirm": "new pass 123"}, page="/dashboard/settings")
    assert "The current password is not right." in wrong.text
    changed = web.post_form("/account/password", {"current_password": PASSWORD, "new_password": "new pass 123",
                                                  "confirm": "new pass 123"}, page="/dashboard/settings")
    assert changed.url.endswith("/dashboard/settings") and "Other devices were signed out" in changed.text
    assert web.get("/dashboard/", allow_redirects=False).status_code == 200  # still signed in here
    assert other.get("/dashboard/", allow_redirects=False).status_code == 302  # not there
    fresh = dash.visitor()
    assert fresh.sign_in(web.email, PASSWORD).status_code == 401
    assert fresh.sign_in(web.email, "new pass 123").url.endswith("/dashboard/")


def test_wrong_password_and_unknown_email_get_the_same_answer(dash):
    web = dash.user()
    unknown = new_email("nobody")
    a = dash.visitor().sign_in(web.email, "wrong password")
    b = dash.visitor().sign_in(unknown, "wrong password")
    assert a.status_code == b.status_code == 401
    assert "Email or password is wrong." in a.text
    assert _normalized(a.text, web.email) == _normalized(b.text, unknown)


def _normalized(html: str, email: str) -> str:
    """The page without its per-session CSRF token and the echoed email."""
    return TOKEN.sub(r'\1""', html).replace(email, "EMAIL")


def test_register_refusals_say_nothing_specific(dash):
    web = dash.user()
    again = dash.visitor().register(web.email, "another password")
    assert again.status_code == 400 and "cannot be registered" in again.text
    mismatch = dash.visitor().post_form("/register", {"email": new_email(), "password": "password one",
                                                      "confirm": "password two"})
    assert mismatch.status_code == 400 and "The two passwords differ." in mismatch.text
    short = dash.visitor().register(new_email(), "short")
    assert short.status_code == 400 and "at least 8" in short.text


def test_next_only_goes_to_this_site(dash):
    web = dash.user()
    web.sign_out()
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        reply = web.post_form("/signin", {"email": web.email, "password": PASSWORD, "next": evil}, follow=False)
        assert reply.status_code == 303 and reply.headers["Location"] == "/dashboard/", evil
        web.sign_out()


def test_forms_without_a_csrf_token_are_refused(dash):
    web = dash.user()
    for path, data in (("/signout", {}), ("/dashboard/keys", {"name": "x"}),
                       ("/account/password", {"current_password": PASSWORD, "new_password": "zzzzzzzzz",
                                              "confirm": "zzzzzzzzz"})):
        reply = web.post_form(path, data, csrf=False)
        assert reply.status_code == 400, path
    assert web.get("/dashboard/", allow_redirects=False).status_code == 200  # still signed in
    assert dash.visitor().post_form("/signin", {"email": web.email, "password": PASSWORD},
                                    csrf=False).status_code == 400


def test_a_foreign_origin_is_refused_even_with_the_token(dash):
    web = dash.user()
    before = web.api("GET", "/api/tokens").json()["items"]
    for origin in ("https://evil.example", "null"):
        reply = web.post_form("/dashboard/keys", {"name": "cross-site"}, page="/dashboard/keys",
                              headers={"Origin": origin})
        assert reply.status_code == 403, origin
        assert web.api("POST", "/api/tokens", json={"displayName": "x"}, headers={"Origin": origin}).status_code == 403
    assert web.api("GET", "/api/tokens").json()["items"] == before  # nothing was created
    # The site's own origin, as browsers send it, passes.
    same = web.post_form("/dashboard/keys", {"name": "same-site"}, page="/dashboard/keys",
                         headers={"Origin": dash.url})
    assert same.status_code == 201


def test_pages_render_in_chinese(dash):
    web = dash.user()
    for path in ("/dashboard/", "/dashboard/keys", "/dashboard/usage", "/dashboard/orders", "/dashboard/settings"):
        page = web.get(path + "?lang=zh")
        assert page.status_code == 200 and 'lang="zh-CN"' in page.text, path
        assert "Overview" not in page.text and "概览" in page.text
        assert english_left(page.text) == [], path
    key = web.post_form("/dashboard/keys", {"name": "zh key"}, page="/dashboard/keys")
    assert key.status_code == 201
    for page in (web.get("/dashboard/keys?lang=zh"), dash.visitor().get("/signin?lang=zh"),
                 dash.visitor().get("/register?lang=zh")):
        assert english_left(page.text) == [], page.url
    assert "登录" in dash.visitor().get("/signin?lang=zh").text

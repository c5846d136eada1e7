"""The session-authenticated JSON token API: the customer's envelope and
field names, the key shown once, CSRF, other users' keys, and /v1 at once."""
from __future__ import annotations

import re

import requests
from openai import OpenAI

from tests.fakes.upstream_client import directive

MASKED = re.compile(r"^sk-\*\*\*\*[A-Za-z0-9_\-]{4}$")


def v1_status(dash, raw: str) -> int:
    return requests.post(dash.base_url + "/chat/completions", headers={"Authorization": f"Bearer {raw}"},
                         json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
                         timeout=30).status_code


def test_token_lifecycle(dash, upstream):
    web = dash.user()
    assert web.api("GET", "/api/tokens").json() == {"ok": True, "items": []}

    made = web.api("POST", "/api/tokens", json={"displayName": "Default Key", "spendCap": 5_000_000, "rpm": 60})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    body = made.json()
    assert body["ok"] is True and set(body) == {"ok", "token", "plainKey"}
    token, plain = body["token"], body["plainKey"]
    assert token["displayName"] == "Default Key" and token["status"] == "ACTIVE"
    assert re.fullmatch(r"key_\d+", token["id"]) and MASKED.match(token["maskedKey"])
    assert token["maskedKey"].endswith(plain[-4:]) and token["spendCap"] == 5_000_000 and token["rpm"] == 60
    assert token["createdAt"].endswith("Z") and token["lastUsedAt"] is None

    client = OpenAI(api_key=plain, base_url=dash.base_url, max_retries=0, timeout=30)
    reply = client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "x " + directive(
        reply="ok", usage={"prompt_tokens": 5, "completion_tokens": 2})}])
    assert reply.choices[0].message.content == "ok"

    [listed] = web.api("GET", "/api/tokens").json()["items"]
    assert listed["id"] == token["id"] and listed["lastUsedAt"] and listed["spent"] > 0
    assert plain not in web.api("GET", "/api/tokens").text  # never again

    off = web.api("PATCH", f"/api/tokens/{token['id']}/disable")
    assert off.status_code == 200 and off.json()["ok"] is True
    assert off.json()["token"]["id"] == token["id"] and off.json()["token"]["status"] == "REVOKED"
    assert v1_status(dash, plain) == 401  # at once

    gone = web.api("DELETE", f"/api/tokens/{token['id']}")
    assert gone.status_code == 200 and gone.json() == {"ok": True}
    assert web.api("GET", "/api/tokens").json()["items"] == []
    assert web.api("DELETE", f"/api/tokens/{token['id']}").status_code == 404
    assert dash.key_row(int(token["id"][4:])).status == "deleted"


def test_delete_of_an_active_token_refuses_it_at_once(dash):
    web = dash.user()
    body = web.api("POST", "/api/tokens", json={"displayName": "temp"}).json()
    assert v1_status(dash, body["plainKey"]) == 200
    assert web.api("DELETE", "/api/tokens/" + body["token"]["id"]).json() == {"ok": True}
    assert v1_status(dash, body["plainKey"]) == 401


def test_bad_bodies_get_the_error_envelope(dash):
    web = dash.user()
    for body, code in (([1, 2], "invalid_payload"), ({}, "name_required"), ({"displayName": "  "}, "name_required"),
                       ({"displayName": "a", "spendCap": -1}, "invalid_spend_cap"),
                       ({"displayName": "a", "spendCap": 1.5}, "invalid_spend_cap"),
                       ({"displayName": "a", "rpm": 0}, "invalid_rpm"),
                       ({"displayName": "a", "expiresAt": "soon"}, "invalid_expiry"),
                       ({"displayName": "a", "allowedModels": ["nope"]}, "unknown_model")):
        reply = web.api("POST", "/api/tokens", json=body)
        assert reply.status_code == 400 and reply.json()["ok"] is False, body
        assert reply.json()["error"]["code"] == code, body
    assert web.api("GET", "/api/tokens").json()["items"] == []


def test_another_users_token_is_404(dash):
    alice, mallory = dash.user(), dash.user()
    token = alice.api("POST", "/api/tokens", json={"displayName": "alice"}).json()["token"]
    for method, path in (("PATCH", f"/api/tokens/{token['id']}/disable"), ("DELETE", f"/api/tokens/{token['id']}"),
                         ("PATCH", f"/api/tokens/{token['id'][4:]}/disable")):
        reply = mallory.api(method, path)
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found", path
    assert mallory.api("GET", "/api/tokens").json()["items"] == []
    assert [t["status"] for t in alice.api("GET", "/api/tokens").json()["items"]] == ["ACTIVE"]


def test_csrf_and_sign_in_are_required(dash):
    web = dash.user()
    for method, path in (("POST", "/api/tokens"), ("PATCH", "/api/tokens/key_1/disable"),
                         ("DELETE", "/api/tokens/key_1")):
        reply = web.api(method, path, csrf=False, json={"displayName": "x"})
        assert reply.status_code == 400 and reply.json()["ok"] is False, path
        assert "CSRF" in reply.json()["error"]["message"]
    assert web.api("GET", "/api/tokens").json()["items"] == []
    anonymous = requests.get(dash.url + "/api/tokens", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"

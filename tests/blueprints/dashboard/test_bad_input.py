"""Hostile or absurd input from a signed-in customer gets a clear refusal,
never a 500: dates at the edge of the calendar, numbers past the columns,
JSON's Infinity, Unicode digits, ids no column can hold, hidden models."""
from __future__ import annotations

import pytest

HUGE = "9" * 30


@pytest.fixture(scope="module")
def web(dash):
    return dash.user()


@pytest.mark.parametrize("fields, message", [
    ({"expires_at": "9999-12-31"}, "Give the expiry date as YYYY-MM-DD."),
    ({"expires_at": "0001-01-01T00:00+01:00"}, "Give the expiry date as YYYY-MM-DD."),
    ({"rpm": "999999999999"}, "Requests per minute must be a whole number from 1 to 1,000,000."),
    ({"spend_cap": HUGE}, "The spend cap must be a whole number of credits."),
    ({"allowed_models": "hidden-model"}, "Unknown model: hidden-model"),
])
def test_key_form_refuses_with_a_message(web, fields, message):
    answer = web.post_form("/dashboard/keys", {"name": "edge", **fields}, page="/dashboard/keys")
    assert answer.status_code == 400 and message in answer.text


@pytest.mark.parametrize("body, code", [
    # Infinity is not JSON: the parser refuses the body before the cap is read.
    ('{"displayName": "x", "spendCap": Infinity}', "invalid_payload"),
    ('{"displayName": "x", "spendCap": 123456789012345678901234567890}', "invalid_spend_cap"),
    ('{"displayName": "x", "expiresAt": "9999-12-31"}', "invalid_expiry"),
    ('{"displayName": "x", "rpm": 10000000000}', "invalid_rpm"),
    ('{"displayName": "x", "allowedModels": ["hidden-model"]}', "unknown_model"),
])
def test_token_api_refuses_with_its_code(web, body, code):
    answer = web.api("POST", "/api/tokens", data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code


@pytest.mark.parametrize("method, path", [
    ("PATCH", "/api/tokens/key_%C2%B2/disable"),
    ("DELETE", f"/api/tokens/key_{HUGE}"),
    ("DELETE", "/api/tokens/" + "9" * 2000),
])
def test_token_ids_that_are_no_ids_are_not_found(web, method, path):
    answer = web.api(method, path)
    assert answer.status_code == 404 and answer.json()["ok"] is False


@pytest.mark.parametrize("path, status", [
    (f"/dashboard/keys/{HUGE}", 404),
    (f"/dashboard/usage?key={HUGE}&to=9999-12-31&from=0001-01-01&page={HUGE}", 200),
    ("/dashboard/usage?page=%C2%B2&key=%C2%B2", 200),
])
def test_pages_with_absurd_parameters_answer(web, path, status):
    assert web.get(path).status_code == status


def test_refusals_with_values_are_translated(web):
    web.get("/dashboard/keys?lang=zh")  # the language sticks in a cookie
    try:
        answer = web.post_form("/dashboard/keys", {"name": "edge", "allowed_models": "hidden-model <b>"},
                               page="/dashboard/keys")
        assert answer.status_code == 400 and "未知模型:&lt;b&gt;, hidden-model" in answer.text
    finally:
        web.get("/dashboard/keys?lang=en")

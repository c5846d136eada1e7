"""The admin over real HTTP against gunicorn (SQLite): an operator adds a
channel pointing at the fake upstream and prices a model, and a customer's
key then sees the model in /v1/models and chats through it; the Test button
shows latency and the answer; the upstream key never appears in a page."""
from __future__ import annotations

import re

import pytest
import requests

from tests.blueprints.admin.conftest import PASSWORD, HttpOperator, make_user
from tests.support.stack import Stack
from tests.support.web import WebUser

UPSTREAM_KEY = "sk-fake-upstream-admin-7f3a9c"


@pytest.fixture(scope="module")
def stack(sqlite_databases):
    stack = Stack(sqlite_databases.new(), name="tollgate-admin")
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def operator(stack):
    uid = make_user(stack.app, "ops@example.com", is_admin=True)
    return HttpOperator(stack.app, stack.url, uid)


def test_a_channel_and_a_price_set_in_the_admin_serve_a_customer(stack, operator, upstream):
    response = operator.post("/admin/channels/new", {
        "name": "fake upstream", "provider": "openai", "base_url": upstream.base_url_v1, "api_key": UPSTREAM_KEY,
        "models": "admin-model", "model_map": "admin-model=fake-model-upstream", "priority": "0", "weight": "1"},
        page="/admin/channels/new")
    assert response.status_code == 200 and "Channel fake upstream added." in response.text
    response = operator.post("/admin/models/edit", {
        "id": "admin-model", "display_name": "Admin Model", "category": "chat", "input_price": "2000000",
        "output_price": "5000000", "request_price": "3", "max_output_tokens": "1000", "enabled": "1",
        "public": "1"}, page="/admin/models/edit")
    assert response.status_code == 200 and "Model admin-model saved." in response.text

    raw, _key_id, account_id = stack.new_key(10_000_000, name="customer")
    auth = {"Authorization": f"Bearer {raw}"}
    listed = requests.get(stack.base_url + "/models", headers=auth, timeout=30).json()
    assert "admin-model" in [m["id"] for m in listed["data"]]
    reply = requests.post(stack.base_url + "/chat/completions", headers=auth, timeout=30, json={
        "model": "admin-model", "messages": [{"role": "user", "content": "hi"}]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["choices"][0]["message"]["content"] == "Hello from the fake upstream."
    assert body["usage"]["credits"] > 0
    seen = upstream.last_request()
    assert seen["headers"]["authorization"] == f"Bearer {UPSTREAM_KEY}"
    assert seen["body"]["model"] == "fake-model-upstream"  # the model map reached the upstream
    assert stack.balance(account_id) == 10_000_000 - body["usage"]["credits"] and stack.verify() == []

    logs = operator.get(f"/admin/logs?account={account_id}")
    assert "admin-model" in logs.text and ">200<" in logs.text.replace("\n", "").replace(" ", "")


def test_the_test_button_shows_latency_and_the_answer(stack, operator, upstream):
    channels = operator.get("/admin/channels").text
    channel_id = re.search(r'/admin/channels/(\d+)/test', channels).group(1)
    page = operator.post(f"/admin/channels/{channel_id}/test", {}, page="/admin/channels")
    assert page.status_code == 200
    assert re.search(r'<dd class="latency">\d+ ms</dd>', page.text)
    assert "Hello from the fake upstream." in page.text and "The upstream answered." in page.text
    listing = operator.get("/admin/channels").text
    assert re.search(r'<span class="badge paid">ok</span>\s*\d+ ms', listing)


def test_a_failing_test_shows_the_sanitized_error(stack, operator, upstream):
    upstream.configure(status=500, error_message=f"boom for key {UPSTREAM_KEY} at {upstream.base_url_v1}")
    try:
        channel_id = re.search(r'/admin/channels/(\d+)/test', operator.get("/admin/channels").text).group(1)
        page = operator.post(f"/admin/channels/{channel_id}/test", {}, page="/admin/channels")
    finally:
        upstream.configure(status=None, error_message=None)
    assert "The check failed." in page.text and "HTTP 500" in page.text
    assert UPSTREAM_KEY not in page.text and upstream.base_url_v1 not in page.text


def test_the_upstream_key_is_in_no_admin_page(stack, operator):
    paths = ["/admin/", "/admin/channels", "/admin/channels/new", "/admin/models", "/admin/logs",
             "/admin/audit", "/admin/accounts", "/admin/ledger"]
    paths += sorted(set(re.findall(r'/admin/channels/\d+/edit', operator.get("/admin/channels").text)))
    for path in paths:
        response = operator.get(path)
        assert response.status_code == 200, path
        assert UPSTREAM_KEY not in response.text and "fake-upstream-admin" not in response.text, path


def test_a_customer_session_over_http_gets_403(stack):
    uid = make_user(stack.app, "customer-http@example.com", is_admin=False)
    customer = HttpOperator(stack.app, stack.url, uid)
    assert customer.get("/admin/channels").status_code == 403
    anonymous = requests.get(stack.url + "/admin/", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/signin")


def test_signing_in_through_the_sign_in_page(stack):
    make_user(stack.app, "ops-signin@example.com", is_admin=True)
    browser = WebUser(stack.url)
    browser.sign_in("ops-signin@example.com", PASSWORD)
    assert browser.get("/admin/").status_code == 200
    assert "Ledger check" in browser.get("/admin/").text


def test_unit_prices_set_in_the_admin_show_in_v1_models_and_on_the_pricing_page(stack, operator, upstream):
    response = operator.post("/admin/models/edit", {
        "id": "admin-image-model", "display_name": "Admin Image", "category": "image", "input_price": "0",
        "output_price": "0", "request_price": "0", "capabilities": "images, chat",
        "image_prices": "1024x1024/hd=80000, *=40000", "image_input_price": "", "character_price": "11",
        "second_price": "22", "search_unit_price": "33", "enabled": "1", "public": "1"}, page="/admin/models/edit")
    assert response.status_code == 200 and "Model admin-image-model saved." in response.text
    form = operator.get("/admin/models/edit?id=admin-image-model").text
    assert "1024x1024/hd=80000, *=40000" in form and 'value="images, chat"' in form
    bad = operator.post("/admin/models/edit?id=admin-image-model", {
        "display_name": "x", "image_prices": "1024x1024=cheap", "input_price": "0", "output_price": "0",
        "request_price": "0"}, page="/admin/models/edit?id=admin-image-model")
    assert bad.status_code == 400 and "not a whole number" in bad.text
    operator.post("/admin/channels/new", {
        "name": "image upstream", "provider": "openai", "base_url": upstream.base_url_v1, "api_key": UPSTREAM_KEY,
        "models": "admin-image-model", "priority": "0", "weight": "1"}, page="/admin/channels/new")
    raw, _key_id, _account_id = stack.new_key(1000, name="unit viewer")
    model = requests.get(stack.base_url + "/models/admin-image-model", headers={"Authorization": f"Bearer {raw}"},
                         timeout=30).json()
    assert model["capabilities"] == ["images", "chat"]
    pricing = model["pricing"]
    assert pricing["image"]["tiers"] == {"1024x1024/hd": 80000, "*": 40000}
    assert (pricing["character"]["price"], pricing["second"]["price"], pricing["search_unit"]["price"]) == (11, 22, 33)
    assert "image_input" not in pricing
    page = requests.get(stack.url + "/pricing", timeout=30).text
    assert "per image 1024x1024/hd" in page and "per search unit" in page

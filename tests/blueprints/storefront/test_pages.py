"""Pages and the JSON helper API in process (dev payments): both languages,
the site's own base URL, envelopes and error codes, nothing leaking to a
caller with only an order number or only an email."""
from __future__ import annotations

import pytest

from services.billing import accounts
from services.identity.keys import create_key
from services.billing.ledger import settle, reserve
from tests.support.stack import make_app, migrate
from tests.support.untranslated import english_left

PAGES = ["/", "/pricing", "/docs", "/topup", "/orders/lookup", "/buy/plan_20"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("pages") / "t.db"), WTF_CSRF_ENABLED=False,
                   SITE_URL="https://relay.example.com")
    migrate(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_in_both_languages_and_link_everything(client, path):
    english = client.get(path + "?lang=en").get_data(as_text=True)
    chinese = client.get(path + "?lang=zh").get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="zh-CN"' in chinese
    for link in ("/docs", "/pricing", "/topup", "/orders/lookup"):
        assert f'href="{link}"' in english
    assert "价格" in chinese and "Pricing" not in chinese.split("<main")[0]
    assert english_left(chinese) == [], path  # no English UI text left on the Chinese page


def test_chinese_order_pages_and_errors_are_complete(client):
    order = client.post("/api/purchase/orders", json={"email": "zh@example.com", "planCode": "plan_20"}
                        ).get_json()["data"]
    for path in (f"/pricing/pay?orderNo={order['orderNo']}&contactEmail=zh@example.com", "/no-such-page"):
        html = client.get(path + "&lang=zh" if "?" in path else path + "?lang=zh").get_data(as_text=True)
        assert 'lang="zh-CN"' in html and english_left(html) == [], path
    refused = client.post("/topup?lang=zh", data={"apiKey": "sk-nope", "packageCode": "topup_20",
                                                  "email": "a@b.co"}).get_data(as_text=True)
    assert english_left(refused) == []


def test_docs_show_the_sites_own_urls_and_every_language(client):
    html = client.get("/docs").get_data(as_text=True)
    for text in ("https://relay.example.com/v1", "https://relay.example.com/v1/chat/completions",
                 "ANTHROPIC_BASE_URL=&#34;https://relay.example.com&#34;"):
        assert text in html
    for language in ("cURL", "Python", "Node.js", "Go", "Java", "PHP", "C#"):
        assert f'<div class="code-label">{language}</div>' in html
    assert html.count('class="copy"') >= 10
    assert "/api/topup/packages" in html and "purchase_order_not_found" in html


def test_home_shows_the_three_base_url_forms(client):
    html = client.get("/").get_data(as_text=True)
    for form in ("https://relay.example.com</code>", "https://relay.example.com/v1</code>",
                 "https://relay.example.com/v1/chat/completions</code>"):
        assert form in html


def test_packages_endpoint_matches_the_customer_table(client):
    reply = client.get("/api/topup/packages").get_json()
    assert reply["ok"] is True
    table = {p["code"]: (p["priceCents"], p["baseQuotaAmount"], p["bonusQuotaAmount"], p["quotaAmount"])
             for p in reply["data"]}
    assert table == {
        "topup_20": (2000, 10**9, 0, 10**9), "topup_40": (4000, 2 * 10**9, 0, 2 * 10**9),
        "topup_60": (6000, 3 * 10**9, 0, 3 * 10**9), "topup_100": (10000, 5 * 10**9, 10**9, 6 * 10**9),
        "topup_200": (20000, 10 * 10**9, 2 * 10**9, 12 * 10**9),
        "topup_1000": (100000, 50 * 10**9, 10 * 10**9, 60 * 10**9)}
    plans = client.get("/api/purchase/plans").get_json()["data"]
    assert [p["code"] for p in plans] == ["plan_20", "plan_40", "plan_60", "plan_100", "plan_200", "plan_1000"]


@pytest.mark.parametrize("path, body, code", [
    ("/api/purchase/orders", "not json", "invalid_payload"),
    ("/api/purchase/orders", {"email": "a@b.co"}, "invalid_payload"),
    ("/api/purchase/orders", {"email": "not an email", "planCode": "plan_20"}, "purchase_order_create_failed"),
    ("/api/purchase/orders", {"email": "a@b.co", "planCode": "topup_20"}, "purchase_order_create_failed"),
    ("/api/purchase/query", {"orderNo": "BUY000", "contactEmail": "a@b.co"}, "purchase_order_not_found"),
    ("/api/topup/query", {"orderNo": "TOP000", "contactEmail": "a@b.co"}, "topup_order_not_found"),
    ("/api/topup/preview", {"apiKey": "sk-nope"}, "topup_preview_failed"),
    ("/api/topup/orders", {"apiKey": "sk-nope", "packageCode": "topup_20", "contactEmail": "a@b.co"},
     "topup_order_create_failed"),
    ("/api/quota/query", {"apiKey": "sk-unknown-key-0000000000000"}, "INVALID_KEY"),
    ("/api/usage/logs", {"apiKey": 42}, "invalid_payload"),
])
def test_errors_use_the_documents_codes(client, path, body, code):
    reply = client.post(path, data=body) if isinstance(body, str) else client.post(path, json=body)
    data = reply.get_json()
    assert data["ok"] is False and data["error"]["code"] == code and data["error"]["message"]
    assert reply.status_code == (404 if code.endswith("not_found") else 400)


def test_unknown_api_routes_answer_in_the_envelope(client):
    reply = client.get("/api/nothing-here")
    assert reply.status_code == 404 and reply.get_json()["ok"] is False


def test_an_order_number_or_an_email_alone_finds_nothing(client):
    order = client.post("/api/purchase/orders", json={"email": "owner@example.com", "planCode": "plan_20"}
                        ).get_json()["data"]
    right = client.post("/api/purchase/query", json={"orderNo": order["orderNo"], "contactEmail": "OWNER@example.com"})
    assert right.status_code == 200 and right.get_json()["data"]["status"] == "PENDING"
    wrong_email = client.post("/api/purchase/query", json={"orderNo": order["orderNo"], "contactEmail": "x@example.com"})
    unknown = client.post("/api/purchase/query", json={"orderNo": "BUY202601010000AAAAAA",
                                                       "contactEmail": "owner@example.com"})
    assert wrong_email.get_json() == unknown.get_json() and wrong_email.status_code == 404
    page = client.get(f"/pricing/pay?orderNo={order['orderNo']}&contactEmail=x@example.com")
    assert page.status_code == 404 and "owner@example.com" not in page.get_data(as_text=True)
    assert client.get(f"/pay/qr/{order['orderNo']}.png?contactEmail=x@example.com").status_code == 404
    key = client.post("/api/purchase/key", json={"orderNo": order["orderNo"], "contactEmail": "owner@example.com"})
    assert key.status_code == 409 and key.get_json()["error"]["code"] == "purchase_key_unavailable"


def test_quota_and_usage_by_key(app, client):
    with app.app_context():
        account = accounts.create_account("usage")
        accounts.grant(account.id, 1_000_000)
        _row, raw = create_key(account.id, "Usage Key")
        for i in range(3):
            assert reserve(account.id, _row.id, 5000, f"req_usage_{i}")
            settle(account.id, _row.id, 5000, 1200, f"req_usage_{i}",
                   log={"request_id": f"req_usage_{i}", "account_id": account.id, "key_id": _row.id,
                        "door": "openai", "model": "demo-model", "status": 200, "latency_ms": 250 + i, "prompt_tokens": 10,
                        "completion_tokens": 5, "cached_tokens": 4 if i == 2 else 0})
    quota = client.post("/api/quota/query", json={"apiKey": raw}).get_json()["data"]
    assert (quota["tokenName"], quota["usedTokens"], quota["remainingTokens"], quota["totalTokens"]) == \
        ("Usage Key", 3600, 1_000_000 - 3600, 1_000_000)
    logs = client.post("/api/usage/logs", json={"apiKey": raw, "limit": 2}).get_json()["data"]
    assert (logs["total"], logs["truncated"], len(logs["items"])) == (3, True, 2)
    newest = logs["items"][0]
    assert (newest["modelName"], newest["quota"], newest["hasCacheHit"], newest["responseTimeMs"]) == \
        ("demo-model", 1200, True, 252)

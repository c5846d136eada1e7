"""The whole first purchase and the whole top-up over HTTP: Tollgate under
gunicorn, the real alipay-sdk-python against the fake gateway, the real
openai SDK on the delivered key."""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import requests
import segno
from openai import OpenAI

from tests.blueprints.storefront.conftest import api, csrf_token
from tests.blueprints.storefront.helpers import order_entries, order_row, outbox_bodies
from tests.fakes.upstream_client import directive


def _order_no(url: str) -> str:
    return parse_qs(urlsplit(url).query)["orderNo"][0]


def test_first_purchase_end_to_end(store, fake):
    web = requests.Session()
    pricing = web.get(store.url + "/pricing", timeout=10)
    assert pricing.status_code == 200 and "/buy/plan_100" in pricing.text
    assert "fake-model" in pricing.text  # the registry's price list

    form = web.get(store.url + "/buy/plan_100", timeout=10)
    placed = web.post(store.url + "/buy/plan_100", data={"csrf_token": csrf_token(form.text),
                                                          "email": "Buyer@Example.com"},
                      allow_redirects=False, timeout=30)
    assert placed.status_code == 303
    pay_url = store.url + placed.headers["Location"]
    order_no = _order_no(pay_url)
    assert re.fullmatch(r"BUY\d{12}[A-Z2-9]{6}", order_no)

    page = web.get(pay_url, timeout=30)
    assert page.status_code == 200 and "buyer@example.com" in page.text
    trade = fake.trades[order_no]  # precreated through the SDK
    assert str(trade["total_amount"]) == "100.00"
    assert trade["notify_url"] == store.url + "/pay/alipay/notify"
    # The QR is drawn by Tollgate itself and encodes Alipay's payload.
    img = re.search(r'<img class="qr" src="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    png = web.get(store.url + img, timeout=10)
    expected = io.BytesIO()
    segno.make(trade["qr_code"], error="m").save(expected, kind="png", scale=6, border=2)
    assert png.headers["Content-Type"] == "image/png" and png.content == expected.getvalue()

    queries = sum(r["method"] == "alipay.trade.query" for r in fake.requests)
    polled = api(store, "/purchase/query", {"orderNo": order_no, "contactEmail": "buyer@example.com"}).json()
    assert polled["data"]["status"] == "PENDING" and polled["data"]["deliveryState"] == "PENDING"
    assert sum(r["method"] == "alipay.trade.query" for r in fake.requests) > queries  # asked Alipay
    assert order_entries(store, order_no) == []

    assert fake.pay(order_no) == (200, "success")
    row = order_row(store, order_no)
    assert (row.status, row.paid_via, row.delivery_state) == ("paid", "notify", "delivered")

    page = web.get(pay_url, timeout=10)
    assert "Show my API key" in page.text and "sk-" not in page.text.replace("sk-****", "")
    shown = web.post(store.url + "/orders/key", data={
        "csrf_token": csrf_token(page.text), "orderNo": order_no, "contactEmail": "buyer@example.com"}, timeout=10)
    key = re.search(r'id="api-key">(sk-[A-Za-z0-9_\-]+)<', shown.text).group(1)
    again = web.post(store.url + "/orders/key", data={
        "csrf_token": csrf_token(page.text), "orderNo": order_no, "contactEmail": "buyer@example.com"}, timeout=10)
    assert again.status_code == 410 and key not in again.text
    claimed = api(store, "/purchase/key", {"orderNo": order_no, "contactEmail": "buyer@example.com"})
    assert claimed.status_code == 410 and claimed.json()["error"]["code"] == "purchase_key_unavailable"

    # Credits: the package plus its bonus, through the ledger.
    entries = order_entries(store, order_no)
    assert [(e.kind, e.amount) for e in entries] == [("purchase", 5_000_000_000), ("bonus", 1_000_000_000)]
    account = entries[0].account_id
    assert store.balance(account) == 6_000_000_000
    assert any(key in body for body in outbox_bodies(store, order_no))  # the mail stand-in

    client = OpenAI(api_key=key, base_url=store.base_url, max_retries=0, timeout=30)
    reply = client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "hi " + directive(
        reply="paid and working", usage={"prompt_tokens": 10, "completion_tokens": 5})}])
    assert reply.choices[0].message.content == "paid and working"
    assert store.balance(account) == 6_000_000_000 - reply.usage.model_extra["credits"]
    assert store.verify() == []


def test_topup_end_to_end_with_a_lost_notify(store, fake):
    raw, key_id, account = store.new_key(0, name="Production Key")
    web = requests.Session()
    form = web.get(store.url + "/topup", timeout=10)
    preview = web.post(store.url + "/topup", data={"csrf_token": csrf_token(form.text), "step": "preview",
                                                   "api_key": raw}, timeout=10)
    assert preview.status_code == 200 and "Production Key" in preview.text
    assert preview.headers["Cache-Control"] == "no-store"
    placed = web.post(store.url + "/topup", data={
        "csrf_token": csrf_token(preview.text), "step": "order", "api_key": raw, "package": "topup_200",
        "email": "ops@example.com"}, allow_redirects=False, timeout=30)
    assert placed.status_code == 303 and placed.headers["Location"].startswith("/topup/pay?")
    order_no = _order_no(placed.headers["Location"])
    assert order_no.startswith("TOP")
    assert web.get(store.url + placed.headers["Location"], timeout=30).status_code == 200
    assert str(fake.trades[order_no]["total_amount"]) == "200.00"

    fake.trades[order_no]["notify_url"] = ""  # the notify is lost on the way
    assert fake.pay(order_no) == (None, None)
    assert order_row(store, order_no).status == "pending"
    answer = api(store, "/topup/query", {"orderNo": order_no, "contactEmail": "ops@example.com"}).json()
    assert answer["ok"] and answer["data"]["status"] == "PAID" and answer["data"]["credited"] is True
    assert order_row(store, order_no).paid_via == "query"

    assert [(e.kind, e.amount) for e in order_entries(store, order_no)] == \
        [("topup", 10_000_000_000), ("bonus", 2_000_000_000)]
    assert store.balance(account) == 12_000_000_000
    quota = api(store, "/quota/query", {"apiKey": raw}).json()["data"]
    assert (quota["tokenName"], quota["remainingTokens"], quota["usedTokens"]) == \
        ("Production Key", 12_000_000_000, 0)
    # A late notify for the same order changes nothing and is still acknowledged.
    fake.trades[order_no]["notify_url"] = store.url + "/pay/alipay/notify"
    assert fake.pay(order_no) == (200, "success")
    assert store.balance(account) == 12_000_000_000
    assert store.verify() == []


def test_json_helper_flow(store, fake):
    raw, _key_id, account = store.new_key(0, name="api key")
    created = api(store, "/topup/orders", {"apiKey": raw, "packageCode": "topup_20",
                                           "contactEmail": "json@example.com"})
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["amountCents"] == 2000 and data["payUrl"].startswith("/topup/pay?orderNo=" + data["orderNo"])
    paid = api(store, "/topup/pay", {"orderNo": data["orderNo"], "contactEmail": "json@example.com"}).json()
    assert paid["data"]["provider"] == "alipay" and paid["data"]["qrCode"].startswith("https://qr.alipay.com/")
    assert requests.get(store.url + paid["data"]["qrcodeUrl"], timeout=10).headers["Content-Type"] == "image/png"
    fake.pay(data["orderNo"])
    assert api(store, "/topup/query", {"orderNo": data["orderNo"], "contactEmail": "json@example.com"}
               ).json()["data"]["credited"] is True
    assert store.balance(account) == 1_000_000_000

"""Buying while signed in, over real HTTP with the development payment: a
top-up of the customer's own account (no key pasted) and a first purchase
whose credits and new key land in that account, not in a guest account;
both credited exactly once however often payment is reported."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select

from extensions import db
from models import Account, ApiKey, Order

TOPUP_20 = 1_000_000_000     # topup_20 and plan_20: 1B credits, no bonus
TOPUP_100 = 6_000_000_000    # topup_100: 5B + 1B bonus


def order_row(dash, order_no: str) -> Order:
    with dash.app.app_context():
        row = db.session.scalar(select(Order).where(Order.order_no == order_no))
        db.session.expunge_all()
        return row


def placed(reply) -> tuple[str, str]:
    """(order number, pay page path) from the redirect after ordering."""
    assert reply.status_code == 303, reply.text[:500]
    location = reply.headers["Location"]
    return parse_qs(urlsplit(location).query)["orderNo"][0], location


def dev_pay(web, order_no: str, email: str, pay_page: str) -> requests.Response:
    return web.post_form(f"/pay/dev/{order_no}", {"contactEmail": email}, page=pay_page)


def entries_for(dash, account: int, order_no: str) -> list:
    return [e for e in dash.entries(account) if e.ref == order_no]


def test_a_signed_in_top_up_credits_the_account_once(dash):
    web = dash.user()
    account = dash.account_of(web.email)
    before = dash.balance(account)
    page = web.get("/topup").text
    assert 'id="account-topup"' in page and web.email in page and 'name="api_key"' in page
    order_no, pay_page = placed(web.post_form("/topup", {"step": "account", "package": "topup_100"}, follow=False))
    assert order_no.startswith("TOP")
    row = order_row(dash, order_no)
    assert (row.kind, row.account_id, row.key_id, row.contact_email) == ("topup", account, None, web.email)
    assert dash.balance(account) == before  # nothing before payment
    assert order_no in web.get("/dashboard/orders").text  # the order is the account's at once

    paid = dev_pay(web, order_no, web.email, pay_page)
    assert paid.status_code == 200 and 'id="account-credited"' in paid.text
    assert dash.balance(account) == before + TOPUP_100
    again = dev_pay(web, order_no, web.email, pay_page)  # a second report changes nothing
    assert again.status_code in (200, 303)
    assert dash.balance(account) == before + TOPUP_100
    booked = entries_for(dash, account, order_no)
    assert sorted(e.amount for e in booked) == [1_000_000_000, 5_000_000_000]
    assert order_row(dash, order_no).status == "paid" and dash.verify() == []


def test_a_signed_in_top_up_refuses_what_a_key_top_up_refuses(dash):
    web = dash.user()
    unknown = web.post_form("/topup", {"step": "account", "package": "plan_20"})  # not a top-up package
    assert unknown.status_code == 400 and 'id="account-topup"' in unknown.text
    assert "Please choose a package." in unknown.text
    account = dash.account_of(web.email)
    with dash.app.app_context():
        db.session.get(Account, account).status = "suspended"
        db.session.commit()
    refused = web.post_form("/topup", {"step": "account", "package": "topup_20"})
    assert refused.status_code == 403 and "This account cannot take orders now." in refused.text
    with dash.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order).where(Order.account_id == account)) == 0


def test_visitors_who_are_not_signed_in_still_top_up_a_key(dash):
    visitor = dash.visitor()
    page = visitor.get("/topup").text
    assert 'id="account-topup"' not in page and 'name="api_key"' in page
    sneaky = visitor.post_form("/topup", {"step": "account", "package": "topup_20"}, page="/topup", follow=False)
    assert sneaky.status_code == 303 and "/signin" in sneaky.headers["Location"]


def test_a_purchase_while_signed_in_lands_in_the_account(dash):
    web = dash.user()
    account = dash.account_of(web.email)
    before = dash.balance(account)
    with dash.app.app_context():
        accounts_before = db.session.scalar(select(func.count()).select_from(Account))
    page = web.get("/buy/plan_20").text
    assert 'id="buy-signed-in"' in page and f'value="{web.email}"' in page
    order_no, pay_page = placed(web.post_form("/buy/plan_20", {"email": web.email}, follow=False))
    assert order_row(dash, order_no).account_id == account
    paid = dev_pay(web, order_no, web.email, pay_page)
    assert paid.status_code == 200 and 'id="reveal-key"' in paid.text and 'id="claim-hint"' not in paid.text
    dev_pay(web, order_no, web.email, pay_page)  # once only

    row = order_row(dash, order_no)
    key = dash.key_row(row.key_id)
    assert row.account_id == account and key.account_id == account
    assert dash.balance(account) == before + TOPUP_20
    with dash.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Account)) == accounts_before  # no guest account
    listed = web.api("GET", "/api/tokens").json()["items"]
    assert f"key_{key.id}" in {t["id"] for t in listed}  # in the dashboard with the account's other keys

    shown = web.post_form("/orders/key", {"orderNo": order_no, "contactEmail": web.email}, page=pay_page)
    raw = re.search(r'id="api-key"[^>]*>(sk-[A-Za-z0-9_\-]+)<', shown.text) or re.search(r"(sk-[A-Za-z0-9_\-]{40,})", shown.text)
    assert raw, shown.text[:2000]
    balance = requests.get(dash.base_url + "/balance", headers={"Authorization": f"Bearer {raw.group(1)}"}, timeout=10)
    assert balance.status_code == 200 and balance.json()["balance"] == before + TOPUP_20
    assert dash.verify() == []


def test_a_guest_purchase_still_makes_its_own_account(dash):
    visitor = dash.visitor()
    order_no, pay_page = placed(visitor.post_form("/buy/plan_20", {"email": "guest-buyer@example.com"}, follow=False))
    assert order_row(dash, order_no).account_id is None
    dev_pay(visitor, order_no, "guest-buyer@example.com", pay_page)
    row = order_row(dash, order_no)
    assert row.account_id is not None and dash.balance(row.account_id) == TOPUP_20
    assert dash.account_row(row.account_id).email == "guest-buyer@example.com"

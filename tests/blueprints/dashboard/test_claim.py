"""Claiming a guest purchase, on SQLite and PostgreSQL: a buyer registers
with the order's email and number and takes over its account (key, credits,
order); an already registered user with an empty account claims from the
settings page; a wrong pair says nothing about which half was wrong."""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from extensions import db
from models import Order, Outbox
from services.identity.claims import trial_key
from tests.blueprints.dashboard.conftest import PASSWORD, TRIAL, new_email, start

CLAIM_FAILED = "No paid purchase matches this order number and email."


@pytest.fixture(scope="module")
def shop(databases, fake_upstream):
    stack = start(databases.new(), fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def guest_purchase(stack, email: str, *, pay: bool = True) -> tuple[str, int, str | None]:
    """(order number, account id, plaintext key) of a first purchase bought
    without an account, paid through the development payment path."""
    from services.store.orders import create, lookup
    from services.store.orders.fulfil import fulfil

    with stack.app.app_context():
        order_no = create.create_purchase("plan_20", email).order_no
        if not pay:
            return order_no, 0, None
        assert fulfil(order_no, via="dev").fulfilled_now
        order = db.session.scalar(select(Order).where(Order.order_no == order_no))
        return order_no, order.account_id, lookup.claim_key(order)


def v1_status(stack, raw: str) -> int:
    return requests.post(stack.base_url + "/chat/completions", headers={"Authorization": f"Bearer {raw}"},
                         json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
                         timeout=30).status_code


def test_register_with_the_order_takes_over_the_guest_account(shop):
    buyer = new_email("buyer")
    order_no, account, raw = guest_purchase(shop, buyer)
    unpaid_no, _, _ = guest_purchase(shop, buyer, pay=False)

    # Wrong order, wrong email, an unpaid order: one answer, no account made.
    for email, number in ((buyer, order_no[:-1] + ("X" if order_no[-1] != "X" else "Y")), (new_email(), order_no),
                         (buyer, unpaid_no)):
        reply = shop.visitor().register(email, PASSWORD, order_no=number)
        assert reply.status_code == 400 and CLAIM_FAILED in reply.text
        assert shop.account_of(email) is None

    web = shop.user(buyer.upper(), order_no=order_no.lower())
    assert shop.account_of(buyer) == account
    keys = web.get("/dashboard/keys").text
    assert f"Key for {order_no}" in keys and f"sk-****{raw[-4:]}" in keys
    assert order_no in web.get("/dashboard/orders").text
    assert "{:,}".format(1_000_000_000) in web.get("/dashboard/").text  # the plan's credits
    # A claimed guest account is not a new one: no trial on top.
    assert shop.entry(trial_key(account)) is None and shop.balance(account) == 1_000_000_000
    assert shop.verify() == []

    # The buyer now manages the purchased key: revoking it stops /v1 at once.
    assert v1_status(shop, raw) == 200
    key_id = int(re.search(r'href="/dashboard/keys/(\d+)"', keys).group(1))
    web.post_form(f"/dashboard/keys/{key_id}/disable", {}, page=f"/dashboard/keys/{key_id}")
    assert v1_status(shop, raw) == 401

    # Nobody can claim the same order again, from the settings page either.
    other = shop.user()
    again = other.post_form("/dashboard/claim", {"order_no": order_no}, page="/dashboard/settings")
    assert CLAIM_FAILED in again.text and shop.account_of(other.email) != account


def test_a_registered_user_with_an_empty_account_claims_from_settings(shop):
    web = shop.user()
    trial_account = shop.account_of(web.email)
    assert shop.balance(trial_account) == TRIAL
    order_no, account, raw = guest_purchase(shop, web.email)
    # A purchase made with another email is not this user's to claim.
    foreign_no, foreign_account, _ = guest_purchase(shop, new_email("gift"))
    wrong = web.post_form("/dashboard/claim", {"order_no": foreign_no}, page="/dashboard/settings")
    assert CLAIM_FAILED in wrong.text and shop.account_of(web.email) == trial_account

    done = web.post_form("/dashboard/claim", {"order_no": order_no}, page="/dashboard/settings")
    assert done.url.endswith("/dashboard/keys") and f"sk-****{raw[-4:]}" in done.text
    assert shop.account_of(web.email) == account
    assert shop.verify() == []
    # The buyer's address hears of the claim.
    with shop.app.app_context():
        notices = db.session.scalars(select(Outbox).where(Outbox.ref == order_no,
                                                          Outbox.subject.like("%added to your account"))).all()
        assert [n.to_email for n in notices] == [web.email]


def test_an_account_in_use_cannot_claim(shop):
    web = shop.user()
    web.post_form("/dashboard/keys", {"name": "mine"})
    order_no, account, _ = guest_purchase(shop, web.email)
    refused = web.post_form("/dashboard/claim", {"order_no": order_no}, page="/dashboard/settings")
    assert "already has keys" in refused.text and shop.account_of(web.email) != account

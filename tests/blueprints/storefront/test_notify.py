"""Alipay notifies against gunicorn (2 gevent workers): exactly one credit
however many copies race with the poller and the query; forged, tampered
and mismatched notifies credit nothing and are logged."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from extensions import db
from models import Account
from tests.blueprints.storefront.conftest import api, csrf_token
from tests.blueprints.storefront.helpers import order_entries, order_row
from tests.fakes.fake_alipay import generate_keypair, rsa2_sign, sign_content


def new_paid_trade(store, fake, email: str, plan: str = "plan_100") -> str:
    """A purchase order, precreated at the fake and paid there, its notify not yet sent."""
    created = api(store, "/purchase/orders", {"email": email, "planCode": plan}).json()["data"]
    api(store, "/purchase/pay", {"orderNo": created["orderNo"], "contactEmail": email})
    fake.trades[created["orderNo"]]["notify_url"] = ""  # we send it ourselves
    fake.pay(created["orderNo"])
    return created["orderNo"]


def notify(store, form: dict) -> requests.Response:
    return requests.post(store.url + "/pay/alipay/notify", data=form, timeout=60)


@pytest.mark.slow
def test_fifty_notifies_the_poller_and_the_query_credit_once(store, fake):
    email = "race@example.com"
    order_no = new_paid_trade(store, fake, email)
    form = fake.build_notify(order_no)
    lookup = {"orderNo": order_no, "contactEmail": email}

    def poll(_):  # the order page's poller: each call queries Alipay while pending
        return api(store, "/purchase/query", lookup).json()["data"]["status"]

    with ThreadPoolExecutor(max_workers=64) as pool:
        notifies = [pool.submit(notify, store, form) for _ in range(50)]
        polls = [pool.submit(poll, i) for i in range(12)]
        replies = [f.result() for f in notifies]
        statuses = [f.result() for f in polls]

    assert [(r.status_code, r.text) for r in replies] == [(200, "success")] * 50
    assert set(statuses) <= {"PENDING", "PAID"} and poll(0) == "PAID"
    entries = order_entries(store, order_no)
    assert [(e.kind, e.amount) for e in entries] == [("purchase", 5_000_000_000), ("bonus", 1_000_000_000)]
    with store.app.app_context():
        accounts = db.session.scalar(select(func.count()).select_from(Account).where(Account.email == email))
    assert accounts == 1
    assert store.balance(entries[0].account_id) == 6_000_000_000
    assert store.log_count(f"order {order_no} paid via") == 1
    # Alipay's spaced resends and a later TRADE_FINISHED: acknowledged, nothing more.
    for status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
        assert notify(store, fake.build_notify(order_no, status)).text == "success"
    assert len(order_entries(store, order_no)) == 2
    assert store.verify() == []


def _signed_elsewhere(fake, order_no):
    form = fake.build_notify(order_no)
    form["sign"] = rsa2_sign(generate_keypair()["private"], sign_content(form, ("sign", "sign_type")))
    return form


FORGERIES = {
    "tampered amount": lambda fake, no: {**fake.build_notify(no), "total_amount": "0.01"},
    "no signature": lambda fake, no: {k: v for k, v in fake.build_notify(no).items() if k != "sign"},
    "signed with another key": _signed_elsewhere,
    "wrong amount, validly signed": lambda fake, no: fake.build_notify(no, total_amount="0.01"),
    "amount 100 for 20.00": lambda fake, no: fake.build_notify(no, total_amount="100.00"),
    "wrong app id": lambda fake, no: fake.build_notify(no, app_id="2021999999999999"),
    "wrong seller": lambda fake, no: fake.build_notify(no, seller_id="2088999999999999"),
    "unknown order": lambda fake, no: fake.build_notify(no, out_trade_no="BUY202601010000ZZZZZZ"),
}
REASONS = {"tampered amount": "bad_signature", "no signature": "bad_signature",
           "signed with another key": "bad_signature", "wrong amount, validly signed": "wrong_amount",
           "amount 100 for 20.00": "wrong_amount", "wrong app id": "wrong_app_id",
           "wrong seller": "wrong_seller_id", "unknown order": "unknown_order"}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_bad_notifies_credit_nothing(store, fake, forgery):
    email = "forged@example.com"
    created = api(store, "/purchase/orders", {"email": email, "planCode": "plan_20"}).json()["data"]
    order_no = created["orderNo"]
    api(store, "/purchase/pay", {"orderNo": order_no, "contactEmail": email})
    fake.scan(order_no)  # exists at Alipay, unpaid: the query cannot pay it either
    reply = notify(store, FORGERIES[forgery](fake, order_no))
    assert (reply.status_code, reply.text) == (400, "fail")
    assert order_row(store, order_no).status == "pending"
    assert api(store, "/purchase/query", {"orderNo": order_no, "contactEmail": email}).json()["data"]["status"] == "PENDING"
    assert order_entries(store, order_no) == []
    assert store.log_count(f"reason={REASONS[forgery]}") >= 1
    # The order itself was payable all along: the genuine notify credits it.
    fake.trades[order_no]["notify_url"] = ""
    fake.pay(order_no)
    assert notify(store, fake.build_notify(order_no)).text == "success"
    assert sum(e.amount for e in order_entries(store, order_no)) == 1_000_000_000
    assert store.verify() == []


def test_waiting_notify_is_acknowledged_and_credits_nothing(store, fake):
    email = "waiting@example.com"
    order_no = api(store, "/purchase/orders", {"email": email, "planCode": "plan_20"}).json()["data"]["orderNo"]
    api(store, "/purchase/pay", {"orderNo": order_no, "contactEmail": email})
    fake.scan(order_no)
    reply = notify(store, fake.build_notify(order_no, "WAIT_BUYER_PAY"))
    assert (reply.status_code, reply.text) == (200, "success")  # Alipay may stop resending it
    assert order_row(store, order_no).status == "pending" and order_entries(store, order_no) == []
    # A forged "waiting" is still refused: only a verified notify is acknowledged.
    forged = {**fake.build_notify(order_no, "WAIT_BUYER_PAY"), "total_amount": "0.01"}
    assert notify(store, forged).text == "fail"
    fake.pay(order_no)
    assert notify(store, fake.build_notify(order_no)).text == "success"
    assert sum(e.amount for e in order_entries(store, order_no)) == 1_000_000_000


def test_closed_trade_closes_the_order_and_frees_nothing(store, fake):
    email = "closed@example.com"
    order_no = api(store, "/purchase/orders", {"email": email, "planCode": "plan_20"}).json()["data"]["orderNo"]
    api(store, "/purchase/pay", {"orderNo": order_no, "contactEmail": email})
    assert notify(store, fake.build_notify(order_no, "TRADE_CLOSED")).text == "success"
    assert order_row(store, order_no).status == "closed"
    # A paid notify for a closed order is refused, never credited.
    assert notify(store, fake.build_notify(order_no)).text == "fail"
    assert order_entries(store, order_no) == []


def test_dev_payment_is_refused_on_alipay_orders(store, fake):
    email = "nodev@example.com"
    order_no = api(store, "/purchase/orders", {"email": email, "planCode": "plan_20"}).json()["data"]["orderNo"]
    web = requests.Session()
    page = web.get(f"{store.url}/pricing/pay?orderNo={order_no}&contactEmail={email}", timeout=30)
    assert "Simulate payment" not in page.text
    token = csrf_token(web.get(store.url + "/orders/lookup", timeout=10).text)
    refused = web.post(f"{store.url}/pay/dev/{order_no}", data={"csrf_token": token,
                                                                 "contactEmail": email}, timeout=10)
    assert refused.status_code == 403
    assert order_row(store, order_no).status == "pending"


def test_notify_for_unknown_provider_is_404(store):
    assert requests.post(store.url + "/pay/dev/notify", data={}, timeout=10).status_code in (400, 404)
    assert requests.post(store.url + "/pay/paypal/notify", data={}, timeout=10).status_code == 404

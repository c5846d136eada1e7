"""parse_notify: signature checks only; content checks belong to the order service."""
from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.fakes.fake_alipay import generate_keypair, rsa2_sign, sign_content


@pytest.fixture
def paid_order(provider, fake, order_no):
    provider.start(order_no, Decimal("100.00"), "充值 100 元")
    fake.scan(order_no)
    return order_no


def test_genuine_notify(provider, fake, paid_order):
    form = fake.build_notify(paid_order)
    event = provider.parse_notify(form)
    assert event.order_no == paid_order and event.state == "PAID"
    assert event.amount == Decimal("100.00")
    assert event.trade_no == fake.trades[paid_order]["trade_no"]
    assert (event.app_id, event.seller_id) == (fake.app_id, fake.seller_id)
    assert event.raw == form


def test_werkzeug_multidict_accepted(provider, fake, paid_order):
    form = ImmutableMultiDict(list(fake.build_notify(paid_order).items()))
    assert provider.parse_notify(form).order_no == paid_order


def test_empty_values_are_left_out_of_the_signature(provider, fake, paid_order):
    assert provider.parse_notify(fake.build_notify(paid_order, buyer_id="")) is not None


@pytest.mark.parametrize("status, state", [("TRADE_SUCCESS", "PAID"), ("TRADE_FINISHED", "PAID"),
                                           ("WAIT_BUYER_PAY", "WAIT"), ("TRADE_CLOSED", "CLOSED"),
                                           ("SOMETHING_NEW", "WAIT")])
def test_status_mapping(provider, fake, paid_order, status, state):
    assert provider.parse_notify(fake.build_notify(paid_order, status)).state == state


def test_tampered_after_signing(provider, fake, paid_order):
    form = fake.build_notify(paid_order)
    form["total_amount"] = "0.01"
    assert provider.parse_notify(form) is None


def test_added_field_after_signing(provider, fake, paid_order):
    form = fake.build_notify(paid_order)
    form["passback_params"] = "x"
    assert provider.parse_notify(form) is None


def test_signed_with_another_key(provider, fake, paid_order):
    form = fake.build_notify(paid_order)
    form["sign"] = rsa2_sign(generate_keypair()["private"], sign_content(form, ("sign", "sign_type")))
    assert provider.parse_notify(form) is None


@pytest.mark.parametrize("edit", [
    lambda f: f.pop("sign"),
    lambda f: f.update(sign=""),
    lambda f: f.update(sign="!!not base64!!"),
    lambda f: f.update(sign_type="RSA"),
])
def test_missing_or_malformed_sign(provider, fake, paid_order, edit):
    form = fake.build_notify(paid_order)
    edit(form)
    assert provider.parse_notify(form) is None


def test_empty_and_non_string_forms(provider, fake, paid_order):
    assert provider.parse_notify({}) is None
    form = fake.build_notify(paid_order)
    assert provider.parse_notify({**form, "total_amount": ["100.00"]}) is None


@pytest.mark.parametrize("override, field, value", [
    ({"total_amount": "0.01"}, "amount", Decimal("0.01")),
    ({"total_amount": "100"}, "amount", Decimal("100")),
    ({"app_id": "2021999999999999"}, "app_id", "2021999999999999"),
    ({"seller_id": "2088999999999999"}, "seller_id", "2088999999999999"),
    ({"out_trade_no": "NOT-OURS-1"}, "order_no", "NOT-OURS-1"),
])
def test_signed_but_wrong_content_still_parses(provider, fake, paid_order, override, field, value):
    """Genuinely signed, wrong content: the provider passes the fields through
    untouched so the order service can compare them and refuse."""
    event = provider.parse_notify(fake.build_notify(paid_order, **override))
    assert event is not None and getattr(event, field) == value


@pytest.mark.parametrize("amount", ["", "abc", "NaN", "Infinity"])
def test_signed_but_unusable_amount(provider, fake, paid_order, amount):
    assert provider.parse_notify(fake.build_notify(paid_order, total_amount=amount)) is None


def test_duplicate_notifies_all_parse(provider, fake, paid_order):
    # The provider is stateless: deduplication is the order service's UNIQUE constraint.
    form = fake.build_notify(paid_order)
    assert provider.parse_notify(form) == provider.parse_notify(dict(form))


def test_notify_through_http_is_acked_or_nacked(provider, fake, sink, paid_order):
    import requests

    good = fake.build_notify(paid_order)
    bad = {**good, "total_amount": "0.01"}
    assert requests.post(sink.url, data=good, timeout=5).text == "success"
    assert requests.post(sink.url, data=bad, timeout=5).text == "fail"

"""The real alipay-sdk-python against the fake gateway on a random port."""
from __future__ import annotations

import socket
from decimal import Decimal

import pytest

from services.store.payments import AlipayProvider, Checkout, PaymentError, TradeStatus
from tests.fakes.fake_alipay import generate_keypair, pem_body, rsa2_verify, sign_content


def test_precreate_returns_qr_code(provider, fake, sink, order_no):
    checkout = provider.start(order_no, Decimal("20"), "充值 20 元")
    assert isinstance(checkout, Checkout)
    assert checkout.provider == "alipay" and checkout.redirect_url is None
    assert checkout.qr_code.startswith("https://qr.alipay.com/bax0")
    trade = fake.trades[order_no]
    assert trade["total_amount"] == Decimal("20.00") and trade["notify_url"] == sink.url
    assert trade["timeout_express"] == "15m"
    call = fake.requests[-1]
    assert call["method"] == "alipay.trade.precreate" and call["code"] == "10000"
    assert call["user_agent"].startswith("alipay-sdk-python")  # the SDK really made the call
    assert '"total_amount":"20.00"' in call["params"]["biz_content"].replace(" ", "")


def test_query_before_scan_is_not_exist(provider, order_no):
    provider.start(order_no, Decimal("9.90"), "x")
    assert provider.query(order_no) == TradeStatus("NOT_EXIST", None, None, None)


def test_scanned_but_unpaid_is_wait(provider, fake, order_no):
    provider.start(order_no, Decimal("9.90"), "x")
    fake.scan(order_no)
    status = provider.query(order_no)
    assert status.state == "WAIT" and status.raw_status == "WAIT_BUYER_PAY"
    assert status.amount == Decimal("9.90") and status.trade_no == fake.trades[order_no]["trade_no"]


def test_pay_sends_notify_and_query_reports_paid(provider, fake, sink, order_no):
    provider.start(order_no, Decimal("20.00"), "充值")
    assert fake.pay(order_no) == (200, "success")
    trade_no = fake.trades[order_no]["trade_no"]

    [event] = sink.events
    assert event.order_no == order_no and event.state == "PAID"
    assert event.amount == Decimal("20.00") and str(event.amount) == "20.00"
    assert event.trade_no == trade_no
    assert event.app_id == fake.app_id and event.seller_id == fake.seller_id
    assert event.raw["notify_type"] == "trade_status_sync"

    status = provider.query(order_no)
    assert status == TradeStatus("PAID", Decimal("20.00"), trade_no, "TRADE_SUCCESS")


def test_trade_finished_is_paid(provider, fake, order_no):
    provider.start(order_no, Decimal("1.00"), "x")
    fake.pay(order_no, status="TRADE_FINISHED")
    assert provider.query(order_no).state == "PAID"


def test_close(provider, fake, order_no):
    assert provider.close(order_no) is False  # nothing at Alipay yet
    provider.start(order_no, Decimal("1.00"), "x")
    fake.scan(order_no)
    assert provider.close(order_no) is True
    assert provider.query(order_no).state == "CLOSED"
    with pytest.raises(PaymentError) as err:
        provider.start(order_no, Decimal("1.00"), "x")
    assert err.value.sub_code == "ACQ.TRADE_HAS_CLOSE"


def test_close_paid_trade_is_refused(provider, fake, order_no):
    provider.start(order_no, Decimal("1.00"), "x")
    fake.pay(order_no)
    with pytest.raises(PaymentError) as err:
        provider.close(order_no)
    assert err.value.sub_code == "ACQ.TRADE_STATUS_ERROR"


def test_business_errors_carry_codes(provider, fake, order_no):
    provider.start(order_no, Decimal("5.00"), "x")
    provider.start(order_no, Decimal("5.00"), "x")  # same order again is fine
    with pytest.raises(PaymentError) as err:
        provider.start(order_no, Decimal("6.00"), "x")
    assert (err.value.code, err.value.sub_code) == ("40004", "ACQ.CONTEXT_INCONSISTENT")
    fake.pay(order_no)
    with pytest.raises(PaymentError) as err:
        provider.start(order_no, Decimal("5.00"), "x")
    assert err.value.sub_code == "ACQ.TRADE_HAS_SUCCESS"


@pytest.mark.parametrize("amount", [1.5, Decimal("0.001"), Decimal("0"), Decimal("-1"),
                                    Decimal("NaN"), Decimal("1E+30"), "abc"])
def test_bad_amounts_never_reach_the_gateway(provider, fake, order_no, amount):
    before = len(fake.requests)
    with pytest.raises(PaymentError):
        provider.start(order_no, amount, "x")
    assert len(fake.requests) == before


@pytest.mark.parametrize("bad", ["", "a" * 65, "x&y=1", "T 1"])
def test_bad_order_numbers_refused(provider, bad):
    with pytest.raises(PaymentError):
        provider.query(bad)


# --- gateway failures ---------------------------------------------------------

def _secret_chunks(*pems):
    """40-char slices of key bodies: none may appear in an error message."""
    for pem in pems:
        body = pem_body(pem)
        yield from (body[i:i + 40] for i in range(0, len(body) - 40, 40))


def test_wrong_alipay_public_key_fails_precreate(fake, order_no):
    settings = fake.settings()
    settings["ALIPAY_PUBLIC_KEY"] = generate_keypair()["public"]
    with pytest.raises(PaymentError) as err:
        AlipayProvider(settings).start(order_no, Decimal("1.00"), "x")
    assert "ALIPAY_PUBLIC_KEY" in str(err.value)
    assert not any(c in str(err.value) for c in _secret_chunks(*fake.keys.values()))


def test_wrong_app_private_key_gateway_says_40002(fake, order_no):
    settings = fake.settings()
    settings["ALIPAY_APP_PRIVATE_KEY"] = generate_keypair()["private"]
    with pytest.raises(PaymentError) as err:
        AlipayProvider(settings).start(order_no, Decimal("1.00"), "x")
    assert (err.value.code, err.value.sub_code) == ("40002", "isv.invalid-signature")
    assert fake.requests[-1]["sub_code"] == "isv.invalid-signature"
    assert not any(c in str(err.value) for c in _secret_chunks(settings["ALIPAY_APP_PRIVATE_KEY"]))


def test_wrong_app_id_gateway_says_40002(fake, order_no):
    settings = {**fake.settings(), "ALIPAY_APP_ID": "2021999999999999"}
    with pytest.raises(PaymentError) as err:
        AlipayProvider(settings).query(order_no)
    assert err.value.sub_code == "isv.invalid-app-id"


def test_refused_connection(fake):
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = {**fake.settings(), "ALIPAY_GATEWAY": f"http://127.0.0.1:{port}/gateway.do"}
    with pytest.raises(PaymentError) as err:
        AlipayProvider(settings).start("T1", Decimal("1.00"), "x")
    assert "unreachable" in str(err.value)


@pytest.mark.parametrize("status, body, expect", [
    (502, "<html>Bad Gateway</html>", "non-200"),
    (200, "<html>maintenance</html>", "unsigned or malformed"),
    (200, '{"alipay_trade_query_response":{"code":"40002","sub_code":"isv.invalid-signature"},'
          '"sign":"ERITJKEIJKJHKKKKKKKHJEREEEEEEEEEEE"}', "unverified body says isv.invalid-signature"),
])
def test_odd_gateway_answers(provider, fake, order_no, status, body, expect):
    fake.force_response(status, body)
    with pytest.raises(PaymentError) as err:
        provider.query(order_no)
    assert expect in str(err.value)
    assert err.value.code is None  # nothing verified, so no code to act on


# --- key formats and settings ------------------------------------------------------

@pytest.mark.parametrize("form", ["pem", "bare"])
def test_pkcs8_private_key_accepted(fake, order_no, form):
    pkcs8 = fake.keys["app_private_pkcs8"]
    assert "BEGIN PRIVATE KEY" in pkcs8
    key = pkcs8 if form == "pem" else pem_body(pkcs8)
    provider = AlipayProvider({**fake.settings(), "ALIPAY_APP_PRIVATE_KEY": key})
    assert provider.start(order_no, Decimal("3.00"), "x").qr_code


def test_pem_with_escaped_newlines_accepted(fake, order_no):
    settings = fake.settings()
    settings["ALIPAY_APP_PRIVATE_KEY"] = settings["ALIPAY_APP_PRIVATE_KEY"].replace("\n", "\\n")
    assert AlipayProvider(settings).start(order_no, Decimal("3.00"), "x").qr_code


def test_validate_settings(fake):
    good = fake.settings()
    assert AlipayProvider.validate_settings(good) == []
    assert AlipayProvider.validate_settings({}) == [
        "ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY", "ALIPAY_NOTIFY_URL"]
    assert AlipayProvider.validate_settings({**good, "ALIPAY_APP_ID": "  ", "ALIPAY_PUBLIC_KEY": None}) == [
        "ALIPAY_APP_ID", "ALIPAY_PUBLIC_KEY"]
    assert AlipayProvider.validate_settings({**good, "ALIPAY_APP_PRIVATE_KEY": "not a key"}) == [
        "ALIPAY_APP_PRIVATE_KEY"]
    # the app's own public key pasted where the Alipay public key belongs
    assert AlipayProvider.validate_settings({**good, "ALIPAY_PUBLIC_KEY": fake.keys["app_public"]}) == [
        "ALIPAY_PUBLIC_KEY"]
    assert AlipayProvider.validate_settings({**good, "ALIPAY_GATEWAY": "ftp://x", "ALIPAY_HTTP_TIMEOUT": "0"}) == [
        "ALIPAY_GATEWAY", "ALIPAY_HTTP_TIMEOUT"]


def test_constructor_refuses_bad_settings_without_echoing_keys(fake):
    junk = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ" * 3
    with pytest.raises(PaymentError) as err:
        AlipayProvider({**fake.settings(), "ALIPAY_APP_ID": "", "ALIPAY_APP_PRIVATE_KEY": junk})
    assert "ALIPAY_APP_ID" in str(err.value) and "ALIPAY_APP_PRIVATE_KEY" in str(err.value)
    assert junk[:20] not in str(err.value)
    assert err.value.__cause__ is None and err.value.__context__ is None


def test_repr_hides_keys(provider, fake):
    text = repr(provider) + repr(vars(provider).get("app_id"))
    assert not any(c in text for c in _secret_chunks(*fake.keys.values()))


def test_fake_verifies_its_own_notify_independently(fake, order_no):
    form = fake.build_notify(order_no)
    content = sign_content(form, exclude=("sign", "sign_type"))
    assert rsa2_verify(fake.keys["platform_public"], content, form["sign"])


def test_gateway_that_never_answers_times_out(fake):
    with socket.socket() as listener:  # accepts connections (backlog) but never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/gateway.do"
        settings = {**fake.settings(), "ALIPAY_GATEWAY": url, "ALIPAY_HTTP_TIMEOUT": "0.5"}
        with pytest.raises(PaymentError, match="timed out"):
            AlipayProvider(settings).query("T1")


@pytest.mark.parametrize("expires_in, express", [(900, "15m"), (299, "4m"), (61, "1m"), (20, "1m")])
def test_the_qr_lives_as_long_as_the_order(provider, fake, order_no, expires_in, express):
    provider.start(order_no, Decimal("9.90"), "x", expires_in=expires_in)
    assert fake.trades[order_no]["timeout_express"] == express

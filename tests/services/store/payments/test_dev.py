from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from services.store.payments import DevProvider, PaymentError, get_provider


def test_dev_checkout():
    p = DevProvider({"TOLLGATE_ENV": "development"})
    c = p.start("T000001", Decimal("20.00"), "x")
    assert (c.provider, c.qr_code, c.redirect_url) == ("dev", "tollgate-dev-pay:T000001", None)
    assert p.query("T000001").state == "NOT_EXIST"
    assert p.parse_notify({"out_trade_no": "T000001", "trade_status": "TRADE_SUCCESS"}) is None
    assert (p.ack, p.nack) == ("success", "fail")


@pytest.mark.parametrize("env", ["production", " Production "])
def test_dev_refuses_production(env):
    with pytest.raises(PaymentError):
        DevProvider({"TOLLGATE_ENV": env})
    with pytest.raises(PaymentError):
        get_provider("dev", {"TOLLGATE_ENV": env})


def test_dev_checks_amounts():
    with pytest.raises(PaymentError):
        DevProvider({}).start("T1", 1.5, "x")


def test_registry():
    assert isinstance(get_provider("dev", {}), DevProvider)
    with pytest.raises(PaymentError, match="unknown payment provider"):
        get_provider("paypal", {})
    with pytest.raises(PaymentError, match="ALIPAY_APP_ID"):
        get_provider("alipay", {})


def test_sdk_is_imported_lazily_and_port_fix_only_with_a_port():
    code = """
import sys
from services.store.payments import AlipayProvider
from tests.fakes.fake_alipay import generate_keypair
assert "alipay" not in sys.modules, "SDK imported at package import"
app, platform = generate_keypair(), generate_keypair()
p = AlipayProvider({"ALIPAY_APP_ID": "1", "ALIPAY_APP_PRIVATE_KEY": app["private"],
                    "ALIPAY_PUBLIC_KEY": platform["public"], "ALIPAY_NOTIFY_URL": "https://x/n"})
assert "alipay" not in sys.modules, "SDK imported at construction"
p._sdk()
import alipay.aop.api.util.WebUtils as web
assert not hasattr(web.get_http_connection, "_tollgate_fix"), "patched without a port"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[4])
    assert done.returncode == 0, done.stderr

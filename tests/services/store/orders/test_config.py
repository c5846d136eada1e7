"""Production takes real money only: the app refuses to start with the dev
provider or any Alipay setting missing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import create_app
from tests.fakes.fake_alipay import FakeAlipay
from tests.support.servers import REPO

STRONG = "x" * 48


@pytest.fixture(scope="module")
def alipay_settings():
    keys = FakeAlipay().keys  # a real key pair; no gateway is called here
    return {"ALIPAY_APP_ID": "2021000000000001", "ALIPAY_SELLER_ID": "2088000000000001",
            "ALIPAY_APP_PRIVATE_KEY": keys["app_private"], "ALIPAY_PUBLIC_KEY": keys["platform_public"],
            "ALIPAY_GATEWAY": "https://openapi.alipay.com/gateway.do",
            "ALIPAY_NOTIFY_URL": "https://tollgate.example/pay/alipay/notify"}


def production(**overrides):
    return create_app({"ENV_NAME": "production", "SECRET_KEY": STRONG,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides})


def test_production_with_every_alipay_setting_starts(alipay_settings):
    app = production(PAYMENT_PROVIDER="alipay", **alipay_settings)
    assert app.config["PAYMENT_PROVIDER"] == "alipay"


def test_notify_url_defaults_from_site_url(alipay_settings):
    settings = {k: v for k, v in alipay_settings.items() if k != "ALIPAY_NOTIFY_URL"}
    with pytest.raises(RuntimeError, match="ALIPAY_NOTIFY_URL"):
        production(PAYMENT_PROVIDER="alipay", ALIPAY_NOTIFY_URL=None, **settings)
    production(PAYMENT_PROVIDER="alipay", ALIPAY_NOTIFY_URL=None, SITE_URL="https://tollgate.example", **settings)


@pytest.mark.parametrize("missing", ["ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY",
                                     "ALIPAY_SELLER_ID", "ALIPAY_NOTIFY_URL"])
def test_production_refuses_a_missing_setting(alipay_settings, missing):
    with pytest.raises(RuntimeError, match=missing):
        production(PAYMENT_PROVIDER="alipay", **{**alipay_settings, missing: ""})


def test_production_refuses_the_dev_provider(alipay_settings):
    with pytest.raises(RuntimeError, match="PAYMENT_PROVIDER"):
        production(PAYMENT_PROVIDER="dev", **alipay_settings)


def test_a_real_production_start_without_alipay_fails(tmp_path):
    env = {**os.environ, "TOLLGATE_ENV": "production", "SECRET_KEY": STRONG,
           "DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "TOLLGATE_INSTANCE_DIR": str(tmp_path)}
    for name in ("PAYMENT_PROVIDER", "ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY", "SITE_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", "from app import create_app; create_app()"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "Alipay settings missing" in done.stderr


def test_development_defaults_to_the_dev_provider():
    app = create_app({"ENV_NAME": "development", "SECRET_KEY": STRONG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PAYMENT_PROVIDER"] == "dev"

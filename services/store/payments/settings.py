"""What the payment providers read from the app's configuration, and the
check production makes of it at start-up (app._configure)."""
from __future__ import annotations

from services.store.payments.alipay import AlipayProvider


def payment_settings(config) -> dict:
    """What the payment providers read: the ALIPAY_* settings, the notify URL
    derived from SITE_URL when not set, and the environment's name."""
    settings = {k: v for k, v in config.items() if k.startswith("ALIPAY_")}
    if not settings.get("ALIPAY_NOTIFY_URL") and config.get("SITE_URL"):
        settings["ALIPAY_NOTIFY_URL"] = config["SITE_URL"].rstrip("/") + "/pay/alipay/notify"
    settings["TOLLGATE_ENV"] = config.get("ENV_NAME")
    return settings


def check_production_payments(config) -> None:
    """Production takes real money only: Alipay, every setting present and usable.
    (A forged notify must never verify against an empty key.)"""
    if config.get("PAYMENT_PROVIDER") != "alipay":
        raise RuntimeError("PAYMENT_PROVIDER must be 'alipay' in production "
                           f"(not {config.get('PAYMENT_PROVIDER')!r}; the dev provider takes no money)")
    settings = payment_settings(config)
    bad = AlipayProvider.validate_settings(settings)
    if not settings.get("ALIPAY_SELLER_ID"):
        bad.append("ALIPAY_SELLER_ID")
    if bad:
        raise RuntimeError("Alipay settings missing or invalid in production: " + ", ".join(bad)
                           + " (ALIPAY_NOTIFY_URL defaults to SITE_URL + /pay/alipay/notify)")

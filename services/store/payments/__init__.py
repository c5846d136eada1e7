"""Payment providers: sign, verify and map fields. The order service owns the rest.

    provider = get_provider(settings.get("PAYMENT_PROVIDER", "alipay"), settings)

Importing this package does not import the Alipay SDK; the provider loads it
on first use.
"""
from __future__ import annotations

from typing import Any, Mapping

from .alipay import AlipayProvider
from .base import (Checkout, NotifyEvent, PaymentError, PaymentProvider, TradeState,
                   TradeStatus, to_amount)
from .dev import DevProvider
from .settings import check_production_payments, payment_settings

PROVIDERS: dict[str, type] = {"alipay": AlipayProvider, "dev": DevProvider}


def get_provider(name: str, settings: Mapping[str, Any]) -> PaymentProvider:
    """Build the provider registered as ``name``; PaymentError if unknown or misconfigured."""
    cls = PROVIDERS.get((name or "").strip().lower())
    if cls is None:
        raise PaymentError(f"unknown payment provider {name!r}; known: {', '.join(sorted(PROVIDERS))}")
    return cls(settings)


__all__ = [
    "AlipayProvider", "Checkout", "DevProvider", "NotifyEvent", "PaymentError",
    "PaymentProvider", "PROVIDERS", "TradeState", "TradeStatus", "check_production_payments", "get_provider",
    "payment_settings", "to_amount",
]

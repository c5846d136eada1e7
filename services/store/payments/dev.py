"""DEVELOPMENT-ONLY payment mode, so `make run` works without Alipay credentials.

No money moves and nothing is verified. It refuses to exist in production.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from .base import Checkout, NotifyEvent, PaymentError, TradeStatus, to_amount

QR_PREFIX = "tollgate-dev-pay:"


class DevProvider:
    """Fake checkout for local development.

    - ``start()`` returns a Checkout whose ``qr_code`` is ``tollgate-dev-pay:<order_no>``;
      the checkout page renders it and offers a "simulate payment" button.
    - That button must call the order service's idempotent pending -> paid
      path directly. There is deliberately no ``mark_paid()`` here: an
      in-memory map would not be shared across gunicorn worker processes,
      so ``query()`` always answers NOT_EXIST and the order's own state is
      the only truth.
    - ``parse_notify()`` always returns None: no notify is ever genuine.
    """

    name = "dev"
    ack = "success"
    nack = "fail"

    def __init__(self, settings: Mapping[str, Any] | None = None):
        env = str((settings or {}).get("TOLLGATE_ENV") or "").strip().lower()
        if env == "production":
            raise PaymentError("the dev payment provider cannot be used when TOLLGATE_ENV=production")

    @staticmethod
    def validate_settings(settings: Mapping[str, Any]) -> list[str]:
        return []

    def start(self, order_no: str, amount: Decimal, subject: str,
              expires_in: float | None = None) -> Checkout:
        to_amount(amount)  # same amount rules as real providers
        if not order_no or ":" in order_no:
            raise PaymentError("order_no must be non-empty and contain no ':'")
        return Checkout(provider=self.name, qr_code=QR_PREFIX + order_no, redirect_url=None)

    def query(self, order_no: str) -> TradeStatus:
        return TradeStatus("NOT_EXIST", None, None, None)

    def parse_notify(self, form: Mapping[str, Any]) -> NotifyEvent | None:
        return None

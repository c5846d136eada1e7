"""Provider-neutral payment types.

Providers only sign, verify and map fields. The order service owns orders,
amounts, the app_id/seller/amount comparisons and the idempotent
pending -> paid transition, so nothing here touches a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Mapping, Protocol, runtime_checkable

TradeState = Literal["NOT_EXIST", "WAIT", "PAID", "CLOSED"]

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000")  # Alipay's per-trade ceiling


class PaymentError(Exception):
    """A provider call failed.

    The message is always safe to log and show to operators: it never holds a
    key or a raw SDK message (those can echo decoded key material). ``code``
    and ``sub_code`` carry the gateway's answer when there was one, e.g.
    ``"40004"`` / ``"ACQ.TRADE_HAS_SUCCESS"``, so callers can branch on it.
    """

    def __init__(self, message: str, *, code: str | None = None, sub_code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.sub_code = sub_code


def to_amount(value: Decimal | int | str) -> Decimal:
    """Validate an order amount and return it quantized to cents.

    Sub-cent values are refused rather than rounded: the notify would then
    carry a different amount than the order and never match. Floats are
    refused because they cannot hold most cent values exactly.
    """
    if isinstance(value, (float, bool)):
        raise PaymentError("amount must be a Decimal, int or str, not %s" % type(value).__name__)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise PaymentError("amount is not a number") from None
    # Range first: quantize() raises on huge exponents such as 1E+30.
    if not amount.is_finite() or not CENT <= amount <= MAX_AMOUNT:
        raise PaymentError("amount must be between 0.01 and 100000000")
    if amount != amount.quantize(CENT):
        raise PaymentError("amount must be in whole cents")
    return amount.quantize(CENT)


@dataclass(frozen=True)
class Checkout:
    """How the buyer pays: a QR payload (当面付) or a redirect URL (page pay)."""

    provider: str
    qr_code: str | None
    redirect_url: str | None = None


@dataclass(frozen=True)
class TradeStatus:
    """Result of an active query. ``amount`` is exactly what the gateway said."""

    state: TradeState
    amount: Decimal | None = None
    trade_no: str | None = None
    raw_status: str | None = None


@dataclass(frozen=True)
class NotifyEvent:
    """A notify whose signature verified. Its *content* is not yet trusted:
    the order service must still check order_no, amount, app_id and seller_id.
    """

    order_no: str
    state: TradeState
    amount: Decimal
    trade_no: str | None
    app_id: str | None
    seller_id: str | None
    raw: dict[str, str] = field(repr=False, default_factory=dict)


@runtime_checkable
class PaymentProvider(Protocol):
    name: str
    ack: str   # body that tells the provider "received, stop resending"
    nack: str  # body that makes the provider resend later

    def start(self, order_no: str, amount: Decimal, subject: str,
              expires_in: float | None = None) -> Checkout: ...  # expires_in: seconds payable

    def query(self, order_no: str) -> TradeStatus: ...

    def parse_notify(self, form: Mapping[str, Any]) -> NotifyEvent | None: ...

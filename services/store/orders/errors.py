"""One error type for the storefront's rules. `reason` is a fixed word the
surfaces map to a message (HTML, in the visitor's language) or pass on
(JSON helper API); `message` is plain English for logs and API clients."""
from __future__ import annotations


class StoreError(Exception):
    def __init__(self, reason: str, message: str, status: int = 400):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status


def not_found() -> StoreError:
    # The same answer whether the order is unknown or the email differs:
    # nothing leaks to someone who holds only one of the two.
    return StoreError("order_not_found", "No order matches this order number and email.", 404)

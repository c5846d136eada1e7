"""Errors the relay answers with, independent of the client's dialect; each
door renders them in its own shape (OpenAI, Anthropic)."""
from __future__ import annotations


class RelayError(Exception):
    """A refusal or failure with an HTTP status and a stable error code:
    invalid_api_key, api_disabled, model_required, messages_required,
    invalid_request, model_not_available, insufficient_credits, rate_limited,
    request_too_large, provider_not_configured, provider_error."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def invalid_request(message: str) -> RelayError:
    return RelayError(400, "invalid_request", message)

"""Error type tables and the Anthropic error body."""
from __future__ import annotations

import pytest

from services.relay.convert import anthropic_error_body, anthropic_error_type, status_for_anthropic_error_type


@pytest.mark.parametrize("status, error_type", [
    (400, "invalid_request_error"), (401, "authentication_error"), (402, "billing_error"),
    (403, "permission_error"), (404, "not_found_error"), (413, "request_too_large"),
    (429, "rate_limit_error"), (500, "api_error"), (503, "overloaded_error"), (504, "timeout_error"),
    (529, "overloaded_error"), (422, "invalid_request_error"), (502, "api_error"),
])
def test_status_to_type(status, error_type):
    assert anthropic_error_type(status) == error_type


@pytest.mark.parametrize("error_type, status", [
    ("invalid_request_error", 400), ("authentication_error", 401), ("permission_error", 403),
    ("not_found_error", 404), ("rate_limit_error", 429), ("api_error", 500), ("overloaded_error", 529),
    ("timeout_error", 504), ("mystery_error", 500),
])
def test_type_to_status(error_type, status):
    assert status_for_anthropic_error_type(error_type) == status


def test_error_body_shape():
    assert anthropic_error_body("rate_limit_error", "slow down") == {
        "type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}

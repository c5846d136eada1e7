"""HTTP status <-> Anthropic error type, and the Anthropic error body.

The body shape is `{"type":"error","error":{"type","message"}}`; other relays
wrote `message:` at the top level or invented `stop_reason:"error"`, which
clients cannot parse (docs/protocols.md §3.8).
"""
from __future__ import annotations

_TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    # 503 is how OpenAI-compatible upstreams say "overloaded"; Anthropic
    # clients retry overloaded_error.
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_STATUS_BY_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def anthropic_error_type(status: int) -> str:
    """Anthropic error type for an HTTP status (other 4xx: invalid request,
    anything else: api_error)."""
    if status in _TYPE_BY_STATUS:
        return _TYPE_BY_STATUS[status]
    if 400 <= status < 500:
        return "invalid_request_error"
    return "api_error"


def status_for_anthropic_error_type(error_type: str) -> int:
    """HTTP status for an Anthropic error type; unknown types are 500."""
    return _STATUS_BY_TYPE.get(error_type, 500)


def anthropic_error_body(error_type: str, message: str) -> dict:
    """The JSON body Anthropic clients expect for errors (HTTP and SSE)."""
    return {"type": "error", "error": {"type": error_type, "message": message}}

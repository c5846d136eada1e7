"""OpenAI-shaped errors for everything under /v1 and /api/v1."""
from __future__ import annotations

from flask import Response, g
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

import orjson

from blueprints.api_v1 import bp
from services.relay.doors.openai_chat import DOOR as OPENAI_DOOR
from services.relay.errors import RelayError

_HTTP_CODES = {400: "invalid_request", 401: "invalid_api_key", 404: "not_found",
               405: "method_not_allowed", 413: "request_too_large", 429: "rate_limited"}


def api_error(status: int, code: str, message: str, retry_after: int | None = None) -> Response:
    """An error in the shape of the door the request came through (OpenAI's
    where no door was reached: unknown routes)."""
    door = g.get("door") or OPENAI_DOOR
    body = door.error_body(RelayError(status, code, message))
    response = Response(orjson.dumps(body), status=status, mimetype="application/json")
    if retry_after is not None:
        g.retry_after = retry_after  # kept over flask-limiter's value (see app.py)
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(RelayError)
def relay_error(exc: RelayError):
    return api_error(exc.status, exc.code, exc.message, exc.retry_after)


@bp.errorhandler(RateLimitExceeded)
def rate_limit_error(exc: RateLimitExceeded):
    # flask-limiter adds Retry-After and the x-ratelimit-* headers afterwards.
    return api_error(429, "rate_limited", f"Rate limit exceeded ({exc.description}); retry later.")


def http_error(exc: HTTPException):
    """App-level fallback for /v1 paths (unknown routes, wrong methods)."""
    code = _HTTP_CODES.get(exc.code or 500, "invalid_request" if (exc.code or 500) < 500 else "server_error")
    return api_error(exc.code or 500, code, exc.description or exc.name)

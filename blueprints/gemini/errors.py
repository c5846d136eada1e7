"""Google-shaped errors, {"error": {"code", "message", "status"}}, for the
Gemini routes: refusals, rate limits, unknown routes and failures alike."""
from __future__ import annotations

import orjson
from flask import Response, g
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from blueprints.gemini import bp, bp_v1
from services.relay.doors import gemini
from services.relay.errors import RelayError


def gemini_error(error: RelayError) -> Response:
    body = gemini.error_body(error)
    response = Response(orjson.dumps(body), status=body["error"]["code"], mimetype="application/json")
    if error.retry_after is not None:
        g.retry_after = error.retry_after  # kept over flask-limiter's value (see app.py)
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def relay_error(exc: RelayError):
    return gemini_error(exc)


def rate_limit_error(exc: RateLimitExceeded):
    return gemini_error(RelayError(429, "rate_limited", f"Rate limit exceeded ({exc.description}); retry later."))


def http_error(exc: HTTPException):
    """Also the app's fallback for /v1beta paths no route matched."""
    status = exc.code or 500
    return gemini_error(RelayError(status, "http_error", exc.description or exc.name))


for blueprint in (bp, bp_v1):
    blueprint.register_error_handler(RelayError, relay_error)
    blueprint.register_error_handler(RateLimitExceeded, rate_limit_error)
    blueprint.register_error_handler(HTTPException, http_error)

"""Errors under the task protocols' routes, in the shape of the door the
request came through (blueprints/api_v1/errors.py api_error)."""
from __future__ import annotations

from flask_limiter import RateLimitExceeded

from blueprints.api_v1.errors import api_error
from blueprints.task_api import bp
from services.relay.errors import RelayError


@bp.errorhandler(RelayError)
def relay_error(exc: RelayError):
    return api_error(exc.status, exc.code, exc.message, exc.retry_after)


@bp.errorhandler(RateLimitExceeded)
def rate_limit_error(exc: RateLimitExceeded):
    return api_error(429, "rate_limited", f"Rate limit exceeded ({exc.description}); retry later.")

"""Errors under the task protocols' routes: the same handlers as /v1's,
which answer in the shape of the door the request came through."""
from __future__ import annotations

from flask_limiter import RateLimitExceeded

from blueprints.api_v1.errors import rate_limit_error, relay_error
from blueprints.task_api import bp
from services.relay.errors import RelayError

bp.register_error_handler(RelayError, relay_error)
bp.register_error_handler(RateLimitExceeded, rate_limit_error)

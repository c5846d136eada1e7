"""The customer's dashboard: keys, balance, usage, orders, settings; and the
session-authenticated JSON token API (tokens_api.py, under /api/tokens)."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)


from blueprints.dashboard import keys, playground, views  # noqa: E402,F401  (routes register on import)

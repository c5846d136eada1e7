"""The customer's dashboard: keys, balance, usage, orders, settings."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from blueprints.dashboard import views  # noqa: E402,F401  (routes register on import)

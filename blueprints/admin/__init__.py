"""The operator's admin area. Every view is @admin_required."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from blueprints.admin import views  # noqa: E402,F401  (routes register on import)

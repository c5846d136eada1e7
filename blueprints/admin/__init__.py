"""The operator's admin area, one module per area. Every view is behind
@admin_required: the blueprint-wide guard below runs it before any view, so
a route added later cannot be left open by a forgotten decorator."""
from flask import Blueprint

from blueprints.session_auth import admin_required, no_store

bp = Blueprint("admin", __name__)


@bp.before_request
@admin_required
def _operators_only():
    return None  # admin_required answered for anyone else (sign-in redirect or 403)


bp.after_request(no_store)


from blueprints.admin import accounts, channels, logs, models, overview, store, tasks  # noqa: E402,F401  (routes register on import)

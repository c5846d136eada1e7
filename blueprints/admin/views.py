"""SKELETON: replaced by the admin work."""
from blueprints.admin import bp
from blueprints.session_auth import admin_required


@bp.get("/")
@admin_required
def index():
    return "", 501

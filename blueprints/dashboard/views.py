"""SKELETON: replaced by the dashboard work."""
from flask_login import login_required

from blueprints.dashboard import bp


@bp.get("/")
@login_required
def index():
    return "", 501

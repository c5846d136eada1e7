"""Register, sign in, sign out, change password, claim a guest purchase."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


from blueprints.auth import views  # noqa: E402,F401  (routes register on import)

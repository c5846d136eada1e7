"""Register, sign in, sign out, change password, claim a guest purchase."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.record_once
def _setup(state) -> None:
    from blueprints.dashboard.strings_zh import ZH
    from blueprints.storefront.i18n import add_strings

    add_strings(ZH)


from blueprints.auth import views  # noqa: E402,F401  (routes register on import)

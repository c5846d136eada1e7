"""The customer's dashboard: keys, balance, usage, orders, settings; and the
session-authenticated JSON token API (tokens_api.py, under /api/tokens)."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)


@bp.record_once
def _setup(state) -> None:
    from blueprints.dashboard.strings_playground import ZH as PLAYGROUND
    from blueprints.dashboard.strings_zh import ZH
    from blueprints.storefront.i18n import add_strings

    add_strings(ZH)
    add_strings(PLAYGROUND)


from blueprints.dashboard import keys, playground, views  # noqa: E402,F401  (routes register on import)

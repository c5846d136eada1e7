"""The storefront: docs, pricing, buying a plan, topping up a key, order pages,
the blog (blog.py) and the sitemap, robots.txt and canonical URLs (seo.py).
The JSON helper API is blueprints/store_api.py; Alipay's notify is
blueprints/payments.py."""
from flask import Blueprint

bp = Blueprint("store", __name__)


def short_credits(n: int) -> str:
    """1000000000 -> 1B, as the package table writes it."""
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= size:
            text = f"{n / size:.2f}".rstrip("0").rstrip(".")
            return text + unit
    return str(n)


@bp.record_once
def _setup(state) -> None:
    from blueprints.storefront import seo

    state.app.add_template_filter(short_credits)
    state.app.add_template_global(seo.canonical_url)


from blueprints.storefront import blog, flows, pages, seo  # noqa: E402,F401  (routes register on import)

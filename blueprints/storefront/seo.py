"""What search engines and link previews read: /sitemap.xml, /robots.txt,
and `canonical_url()` for the canonical and Open Graph tags in base.html.
Absolute URLs start from SITE_URL (else the request's host)."""
from __future__ import annotations

from flask import Response, render_template, request, url_for

from blueprints.public import site_url
from blueprints.storefront import blog, bp

# Public pages worth indexing, besides the blog. Order pages (they carry an
# email in the query), forms that only post, and signed-in areas are left out.
PAGES = ("public.home", "store.docs", "apidocs.api_reference", "store.pricing", "store.topup", "store.lookup_order",
         "auth.register", "store.blog_index")
# Prefixes crawlers have no business in: signed-in areas, the APIs, and order
# and payment pages.
PRIVATE = ("/admin", "/dashboard", "/api", "/v1", "/pricing/pay", "/topup/pay", "/pay/", "/orders/key")


def canonical_url() -> str:
    """This page's address without its query (both languages share it)."""
    return site_url() + request.path


def sitemap_entries() -> list[tuple[str, str | None]]:
    """(absolute URL, last modification date or None) for every public page."""
    base = site_url()
    posts = blog.posts()
    entries = [(base + url_for(endpoint), None) for endpoint in PAGES]
    entries += [(base + url_for("store.blog_post", slug=p.slug), (p.updated or p.date).isoformat())
                for p in posts]
    entries += [(base + url_for("store.blog_tag", tag=tag), None) for tag, _count in blog.all_tags(posts)]
    return entries


@bp.get("/sitemap.xml")
def sitemap():
    xml = render_template("seo/sitemap.xml", entries=sitemap_entries())
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Allow: /"] + [f"Disallow: {prefix}" for prefix in PRIVATE]
    lines += ["", f"Sitemap: {site_url()}{url_for('store.sitemap')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")

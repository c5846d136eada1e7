"""The blog, the sitemap, robots.txt, and the canonical and Open Graph tags
of public pages, in process over the test client with the repository's own
posts (content/blog/)."""
from __future__ import annotations

import html as html_lib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from blueprints.storefront import blog
from tests.support.stack import make_app, migrate
from tests.support.untranslated import english_left

SITE = "https://relay.example.com"
POSTS = sorted(p.name[:-3] for p in Path("content/blog").glob("*.md") if not p.name.endswith(".zh.md"))
PUBLIC = ["/", "/docs", "/pricing", "/topup", "/orders/lookup", "/register", "/signin", "/buy/plan_20",
          "/blog"] + [f"/blog/{slug}" for slug in POSTS]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("blog") / "t.db"), WTF_CSRF_ENABLED=False,
                   SITE_URL=SITE)
    migrate(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def meta(page: str, prop: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', page)
    return html_lib.unescape(found.group(1)) if found else None


def canonical(page: str) -> str | None:
    found = re.search(r'<link rel="canonical" href="([^"]*)">', page)
    return found.group(1) if found else None


def test_the_required_posts_are_there():
    assert {"first-key-and-first-call", "claude-code", "how-billing-works"} <= set(POSTS)


def test_index_lists_every_post_newest_first_with_tags(client):
    page = client.get("/blog?lang=en").get_data(as_text=True)
    links = re.findall(r'<h2><a href="/blog/([a-z0-9-]+)">', page)
    assert sorted(links) == POSTS
    dates = re.findall(r'<time datetime="([0-9-]+)">', page)
    assert dates == sorted(dates, reverse=True)
    for tag in ("getting-started", "claude-code", "billing"):
        assert f'href="/blog/tag/{tag}"' in page


@pytest.mark.parametrize("slug", POSTS)
def test_a_post_renders_with_structured_data(client, slug):
    reply = client.get(f"/blog/{slug}?lang=en")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@context"] == "https://schema.org" and data["@type"] == "BlogPosting"
    assert data["url"] == data["mainEntityOfPage"] == f"{SITE}/blog/{slug}"
    assert data["headline"] and data["description"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["datePublished"])
    assert f"<h1>{html_lib.escape(data['headline'], quote=False)}</h1>" in page
    assert meta(page, "og:type") == "article" and meta(page, "og:description") == data["description"]
    assert '<div class="post-body"><h2>' in page or '<div class="post-body"><p>' in page
    # Markdown ran: headings, code blocks, no stray front matter.
    assert "<pre><code" in page and "date:" not in page.split('class="post-body"')[1]


def test_the_page_policy_allows_the_json_ld_block(client):
    reply = client.get("/blog/claude-code")
    policy = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy  # no inline scripts; ld+json is data, never run
    assert '<script type="application/ld+json">' in reply.get_data(as_text=True)
    assert "<script>" not in reply.get_data(as_text=True)


def test_a_tag_page_lists_only_its_posts(client):
    page = client.get("/blog/tag/claude-code?lang=en").get_data(as_text=True)
    links = set(re.findall(r'<h2><a href="/blog/([a-z0-9-]+)">', page))
    assert "claude-code" in links and "first-key-and-first-call" not in links
    assert "Posts tagged" in page and 'href="/blog"' in page


@pytest.mark.parametrize("path", ["/blog/no-such-post", "/blog/tag/no-such-tag", "/blog/../app.py",
                                  "/blog/claude-code.md"])
def test_unknown_posts_and_tags_are_404(client, path):
    reply = client.get(path)
    assert reply.status_code == 404
    assert 'name="robots" content="noindex"' in reply.get_data(as_text=True)


def test_chinese_blog_pages_have_no_untranslated_furniture(client):
    for path in ["/blog", "/blog/tag/billing"] + [f"/blog/{slug}" for slug in POSTS]:
        page = client.get(path + "?lang=zh").get_data(as_text=True)
        assert 'lang="zh-CN"' in page and "博客" in page
        header = re.search(r"<header.*?</header>", page, re.S).group(0)
        footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
        assert "Blog" not in header + footer and "Pricing" not in header
        main = re.search(r"<main.*?</main>", page, re.S).group(0)
        for text in ("Tags", "All posts", "Posts tagged"):
            assert f">{text}<" not in main and f"{text} " not in main.split('<div class="post-body">')[0]
        assert english_left(page) == [], path


def test_every_tag_has_a_chinese_label(app):
    with open("translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="zh")
    with app.test_request_context():
        for post in blog.posts():
            assert set(post.tags) <= set(blog.TAG_NAMES), post.slug  # marked with N_(), so extracted
    assert all(catalog.get(tag) is not None and catalog.get(tag).string for tag in blog.TAG_NAMES)


def test_sitemap_lists_public_pages_posts_and_tags_with_absolute_urls(client):
    reply = client.get("/sitemap.xml")
    assert reply.status_code == 200 and reply.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in ET.fromstring(reply.data).findall("s:url/s:loc", ns)]
    assert all(u.startswith(SITE + "/") for u in urls) and len(urls) == len(set(urls))
    for path in ["/", "/docs", "/pricing", "/topup", "/orders/lookup", "/register", "/blog"]:
        assert SITE + path in urls
    for slug in POSTS:
        assert f"{SITE}/blog/{slug}" in urls
    assert f"{SITE}/blog/tag/billing" in urls
    assert not [u for u in urls if u[len(SITE):].startswith(("/admin", "/dashboard", "/api", "/v1"))]
    for url in urls:  # every listed page answers
        assert client.get(url[len(SITE):]).status_code == 200, url


def test_without_site_url_the_request_host_is_used(app):
    app.config["SITE_URL"] = None
    try:
        client = app.test_client()
        xml = client.get("/sitemap.xml", base_url="http://shop.test").get_data(as_text=True)
        assert "<loc>http://shop.test/blog</loc>" in xml and SITE not in xml
        page = client.get("/pricing", base_url="http://shop.test").get_data(as_text=True)
        assert canonical(page) == "http://shop.test/pricing"
        assert "Sitemap: http://shop.test/sitemap.xml" in client.get("/robots.txt",
                                                                   base_url="http://shop.test").get_data(as_text=True)
    finally:
        app.config["SITE_URL"] = SITE


def test_robots_allows_the_site_and_keeps_crawlers_out_of_private_areas(client):
    reply = client.get("/robots.txt")
    assert reply.status_code == 200 and reply.mimetype == "text/plain"
    lines = reply.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *" and "Allow: /" in lines
    for prefix in ("/admin", "/dashboard", "/api", "/v1"):
        assert f"Disallow: {prefix}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /blog" not in lines and "Disallow: /" not in lines


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_carry_canonical_and_open_graph_tags(client, path):
    for lang in ("en", "zh"):
        page = client.get(f"{path}?lang={lang}&utm_source=x").get_data(as_text=True)
        url = SITE + path
        assert canonical(page) == url  # no query: both languages share one address
        assert meta(page, "og:url") == url and meta(page, "og:site_name") == "Tollgate"
        assert meta(page, "og:type") in ("website", "article")
        title = html_lib.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()
        assert meta(page, "og:title") == title and title
        assert meta(page, "og:description") and meta(page, "og:description") == meta(page, "description")


def test_signed_in_areas_are_not_indexed(app, client):
    from extensions import db
    from services.identity.users import create_user

    with app.app_context():
        create_user("reader@example.com", "a good password", is_admin=True)
        db.session.commit()
    assert client.post("/signin", data={"email": "reader@example.com", "password": "a good password"}
                       ).status_code in (302, 303)
    for path in ("/dashboard/", "/admin/"):
        page = client.get(path).get_data(as_text=True)
        assert 'name="robots" content="noindex"' in page and canonical(page) is None, path
        assert meta(page, "og:title") is None


def test_the_blog_is_linked_from_the_home_page_nav_and_footer(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    nav, footer = page.split("</nav>")[0], page.split('<footer class="site-footer">')[1]
    assert 'href="/blog"' in nav and 'href="/blog"' in footer


def test_raw_html_in_a_post_is_shown_as_text(tmp_path, app):
    (tmp_path / "x.md").write_text("---\ntitle: T\ndate: 2026-01-02\ndescription: D\ntags: a-b\n---\n"
                                   "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b>bold</b>\n\n"
                                   "| a | b |\n|---|---|\n| 1 | 2 |\n")
    post = blog.load_posts(tmp_path)["x"]
    html = str(post.text("en").html)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert 'href="javascript' not in html and "<table>" in html


def test_a_chinese_version_is_used_on_chinese_pages(tmp_path):
    (tmp_path / "x.md").write_text("---\ntitle: Hello\ndate: 2026-01-02\ndescription: D\n---\nEnglish body\n")
    (tmp_path / "x.zh.md").write_text("---\ntitle: 你好\n---\n中文正文\n")
    post = blog.load_posts(tmp_path)["x"]
    assert post.text("zh").title == "你好" and "中文正文" in post.text("zh").html
    assert post.text("zh").description == "D" and post.text("en").title == "Hello"
    (tmp_path / "y.md").write_text("---\ntitle: Only English\ndate: 2026-01-03\ndescription: D\n---\nBody\n")
    only = blog.load_posts(tmp_path)["y"]
    assert not only.has("zh") and only.text("zh").title == "Only English"  # the page adds a note


@pytest.mark.parametrize("name, text, problem", [
    ("x.md", "no front matter\n", "no front matter"),
    ("x.md", "---\ntitle: T\ndate: 2026-01-02\n---\nbody\n", "lacks description"),
    ("x.md", "---\ntitle: T\ndate: 2 Jan\ndescription: D\n---\nbody\n", "YYYY-MM-DD"),
    ("x.md", "---\ntitle: T\ndate: 2026-01-02\ndescription: D\ntags: Two Words\n---\nb\n", "tags must be"),
    ("Bad_Name.md", "---\ntitle: T\ndate: 2026-01-02\ndescription: D\n---\nb\n", "file name"),
    ("y.zh.md", "---\ntitle: T\n---\nb\n", "needs its English"),
])
def test_a_broken_post_names_the_file_and_the_problem(tmp_path, name, text, problem):
    (tmp_path / name).write_text(text)
    with pytest.raises(blog.PostError, match=problem):
        blog.load_posts(tmp_path)


def test_a_post_with_a_chinese_file_is_chinese_on_chinese_pages(client):
    zh = client.get("/blog/first-key-and-first-call?lang=zh").get_data(as_text=True)
    assert "<h1>获取 Key 并完成第一次调用</h1>" in zh and "本文暂无中文版" not in zh
    assert '"inLanguage": "zh-CN"' in zh and meta(zh, "og:locale") == "zh_CN"
    en = client.get("/blog/first-key-and-first-call?lang=en").get_data(as_text=True)
    assert "<h1>Get a key and make your first call</h1>" in en and '"inLanguage": "en"' in en
    index = client.get("/blog?lang=zh").get_data(as_text=True)
    assert "获取 Key 并完成第一次调用" in index

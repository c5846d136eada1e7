"""The blog: Markdown files in content/blog/ (BLOG_DIR), one post per file.

A post is `<slug>.md`, English, and optionally `<slug>.zh.md`, its Chinese
version (shown on Chinese pages; without one, Chinese pages show the English
text). Each file opens with a front matter of `key: value` lines between two
`---` lines:

    ---
    title: Your first call
    date: 2026-12-01
    tags: getting-started, api
    description: One sentence for the index, search results and link previews.
    ---

`title`, `date` (YYYY-MM-DD) and `description` are required; `tags` (lower
case, comma separated) and `updated` (YYYY-MM-DD) are optional. A Chinese file
needs only what differs (title, description); date and tags come from the
English one.

The body is CommonMark plus tables, rendered by markdown-it-py with raw HTML
turned off: an HTML tag in a post shows as text, and links with a
`javascript:`-like scheme are not made links. Files are read again when one of
them changes, so a new post needs no restart.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app, render_template, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from blueprints.public import site_url
from blueprints.storefront import bp
from i18n import current_lang
from i18n import N_
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = ("title", "date", "description")

_md = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Version:
    """One language's text of a post."""
    title: str
    description: str
    html: Markup


@dataclass(frozen=True)
class Post:
    slug: str
    date: dt.date
    updated: dt.date | None
    tags: tuple[str, ...]
    versions: dict[str, Version] = field(default_factory=dict)  # "en" always, "zh" maybe

    def text(self, lang: str) -> Version:
        return self.versions.get(lang) or self.versions["en"]

    def has(self, lang: str) -> bool:
        return lang in self.versions


class PostError(ValueError):
    """A post file that cannot be published; the message names the file."""


def parse(path: Path) -> tuple[dict[str, str], str]:
    """Front matter and Markdown body of one file."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)\Z", text.replace("\r\n", "\n"), re.S)
    if not match:
        raise PostError(f"{path.name}: no front matter between --- lines")
    meta = {}
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise PostError(f"{path.name}: front matter line without 'key: value': {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]  # quoted as in YAML
        meta[key.strip().lower()] = value
    return meta, match.group(2)


def _date(path: Path, meta: dict, key: str) -> dt.date | None:
    if not meta.get(key):
        return None
    try:
        return dt.date.fromisoformat(meta[key])
    except ValueError:
        raise PostError(f"{path.name}: {key} is not YYYY-MM-DD: {meta[key]!r}") from None


# Tags are shown through _(): every tag a post uses needs a line here (so
# `pybabel extract` puts it in the catalog) and its Chinese in messages.po;
# tests/blueprints/storefront/test_blog.py checks both.
TAG_NAMES = (N_("anthropic"), N_("api"), N_("billing"), N_("claude-code"), N_("codex"), N_("gemini"),
             N_("getting-started"), N_("openai"))

def load_posts(folder: Path) -> dict[str, Post]:
    """Every post in `folder`, by slug. A broken file raises PostError."""
    english, chinese = {}, {}
    for path in sorted(folder.glob("*.md")):
        name = path.name[:-len(".md")]
        slug, lang = (name[:-len(".zh")], "zh") if name.endswith(".zh") else (name, "en")
        if not SLUG.match(slug):
            raise PostError(f"{path.name}: the file name must be lower-case words joined by '-'")
        meta, body = parse(path)
        (chinese if lang == "zh" else english)[slug] = (path, meta, body)
    posts = {}
    for slug, (path, meta, body) in english.items():
        missing = [key for key in REQUIRED if not meta.get(key)]
        if missing:
            raise PostError(f"{path.name}: front matter lacks {', '.join(missing)}")
        tags = tuple(t.strip().lower() for t in meta.get("tags", "").split(",") if t.strip())
        bad = [t for t in tags if not SLUG.match(t)]
        if bad:
            raise PostError(f"{path.name}: tags must be lower-case words joined by '-': {bad}")
        versions = {"en": Version(meta["title"], meta["description"], Markup(_md.render(body)))}
        if slug in chinese:
            zh_path, zh_meta, zh_body = chinese[slug]
            versions["zh"] = Version(zh_meta.get("title") or meta["title"],
                                     zh_meta.get("description") or meta["description"],
                                     Markup(_md.render(zh_body)))
        posts[slug] = Post(slug, _date(path, meta, "date"), _date(path, meta, "updated"), tags, versions)
    orphans = sorted(set(chinese) - set(english))
    if orphans:
        raise PostError(f"{orphans[0]}.zh.md: a Chinese version needs its English {orphans[0]}.md")
    return posts


_cache: dict[str, tuple[tuple, dict[str, Post]]] = {}
_lock = threading.Lock()


def posts() -> list[Post]:
    """The published posts, newest first (re-read when a file changes)."""
    folder = Path(current_app.config["BLOG_DIR"])
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    key = str(folder)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != signature:
            cached = _cache[key] = (signature, load_posts(folder) if files else {})
    return sorted(cached[1].values(), key=lambda p: (p.date, p.slug), reverse=True)


def all_tags(items: list[Post]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for post in items:
        for tag in post.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items())


def structured_data(post: Post, lang: str) -> dict:
    """schema.org BlogPosting, for the page's application/ld+json block."""
    text = post.text(lang)
    url = site_url() + url_for("store.blog_post", slug=post.slug)
    publisher = {"@type": "Organization", "name": "Tollgate", "url": site_url() + "/"}
    return {"@context": "https://schema.org", "@type": "BlogPosting", "headline": text.title,
            "description": text.description, "datePublished": post.date.isoformat(),
            "dateModified": (post.updated or post.date).isoformat(),
            "inLanguage": "zh-CN" if lang == "zh" and post.has("zh") else "en",
            "keywords": ", ".join(post.tags), "url": url, "mainEntityOfPage": url,
            "author": publisher, "publisher": publisher}


@bp.get("/blog")
def blog_index():
    items = posts()
    return render_template("blog/index.html", posts=items, tags=all_tags(items), tag=None)


@bp.get("/blog/tag/<tag>")
def blog_tag(tag: str):
    everything = posts()
    items = [p for p in everything if tag in p.tags]
    if not items:
        abort(404)
    return render_template("blog/index.html", posts=items, tags=all_tags(everything), tag=tag)


@bp.get("/blog/<slug>")
def blog_post(slug: str):
    post = next((p for p in posts() if p.slug == slug), None)
    if post is None:
        abort(404)
    lang = current_lang()
    return render_template("blog/post.html", post=post, text=post.text(lang),
                           translated=lang == "en" or post.has(lang),
                           ld_json=structured_data(post, lang))

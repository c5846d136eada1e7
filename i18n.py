"""Translations through Flask-Babel: English is the source language (the
msgids), Chinese comes from translations/zh/LC_MESSAGES/messages.po, which
`make install` compiles to messages.mo (docs/i18n.md: adding a string).

The language is the visitor's choice first (`?lang=`, which the switcher in
base.html links to and which is remembered in the `lang` cookie), then the
best of en/zh in Accept-Language, then English. Templates call `_()` (the
Jinja i18n extension, new-style: `_("Key %(name)s", name=...)` formats and
escapes the values); Python calls flask_babel.gettext, or lazy_gettext for
module-level constants. `N_()` marks a text that is translated later, where
it is shown (a service's refusal, a form label), so `pybabel extract` finds it.
Long prose (the docs page) keeps both languages in the template under
`{% if lang == "zh" %}`."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import g, has_request_context, request
from flask_babel import Babel, get_locale

LANGS = ("en", "zh")
COOKIE = "lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def N_(text: str) -> str:
    """Mark `text` for extraction; it is translated where it is shown."""
    return text


def asked_lang() -> str | None:
    """The visitor's own choice: ?lang=, then the cookie; None for neither."""
    for asked in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if asked in LANGS:
            return asked
    return None


def select_locale() -> str:
    asked = asked_lang()
    if asked:
        return asked
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-TW", "zh-Hant"]) or "en"
    return "zh" if best.startswith("zh") else "en"


def current_lang() -> str:
    """"en" or "zh" for this request (English outside one)."""
    if not has_request_context():
        return "en"
    lang = g.get("lang")
    if lang is None:
        locale = get_locale()
        lang = g.lang = "zh" if locale is not None and locale.language == "zh" else "en"
    return lang


def stale_catalogs() -> list[Path]:
    """The .po files whose .mo is missing or older (`make install` compiles them)."""
    return [po for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po")
            if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]


def compile_stale() -> list[Path]:
    """Compile the stale catalogs as `pybabel compile` would (the tests call
    this, so a bare `pytest` after editing a .po does not test the old .mo)."""
    import os

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    stale = stale_catalogs()
    for po in stale:
        with open(po, "rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        tmp = po.with_suffix(f".mo.{os.getpid()}")
        with open(tmp, "wb") as f:
            write_mo(f, catalog)
        tmp.replace(po.with_suffix(".mo"))  # atomic: parallel workers may race
    return stale


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    stale = stale_catalogs()
    if stale:  # the pages would show English (or old Chinese): say why
        logging.getLogger(__name__).warning(
            "translations not compiled (run `make install` or `pybabel compile -d translations`): %s",
            ", ".join(str(p.relative_to(TRANSLATIONS)) for p in stale))

    @app.context_processor
    def _i18n():
        lang = current_lang()
        return {"lang": lang, "other_lang": "en" if lang == "zh" else "zh"}

    @app.after_request
    def _remember_lang(response):
        if b"lang=" not in request.query_string:  # most requests: no query string to parse
            return response
        asked = request.args.get("lang")
        if asked in LANGS and asked != request.cookies.get(COOKIE):
            response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="Lax", httponly=True)
        return response

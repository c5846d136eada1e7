"""Chinese and English, in house: the language comes from `?lang=`, then the
`lang` cookie, then Accept-Language. Templates call `_("English text")`,
which looks the text up in strings.ZH; long prose (the docs page) keeps
both languages side by side in the template under `{% if lang == "zh" %}`."""
from __future__ import annotations

from flask import g, request

from blueprints.storefront.strings import ZH

LANGS = ("en", "zh")


def current_lang() -> str:
    lang = g.get("lang")
    if lang is None:
        asked = request.args.get("lang") or request.cookies.get("lang")
        if asked not in LANGS:
            best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-TW"]) or "en"
            asked = "zh" if best.startswith("zh") else "en"
        lang = g.lang = asked
    return lang


def add_strings(table: dict[str, str]) -> None:
    """Other blueprints (dashboard, admin) bring their own Chinese strings."""
    for text, zh in table.items():
        ZH.setdefault(text, zh)


def translate(text: str, **values) -> str:
    if current_lang() == "zh":
        text = ZH.get(text, text)
    return text.format(**values) if values else text


def init_app(app) -> None:
    @app.context_processor
    def _i18n():
        lang = current_lang()
        return {"lang": lang, "_": translate, "other_lang": "en" if lang == "zh" else "zh"}

    @app.after_request
    def _remember_lang(response):
        asked = request.args.get("lang")
        if asked in LANGS and asked != request.cookies.get("lang"):
            response.set_cookie("lang", asked, max_age=365 * 86400, samesite="Lax", httponly=True)
        return response

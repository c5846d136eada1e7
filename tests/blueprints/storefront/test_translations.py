"""The gettext catalog is complete: `pybabel extract` (Babel's API, with the
project's babel.cfg) over the code and templates finds only texts the Chinese
catalog translates, and the catalog holds nothing the code no longer marks
(`pybabel update` would drop it). And the language is chosen in order:
`?lang=`, the `lang` cookie, Accept-Language, English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.support.stack import make_app

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def extracted() -> dict[str, list[str]]:
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def catalog():
    with open(PO, "rb") as f:
        return read_po(f, locale="zh")


def test_every_extracted_text_has_chinese_and_nothing_is_fuzzy():
    found, zh = extracted(), catalog()
    assert len(found) > 300  # the templates and the code were read
    assert not zh.fuzzy
    missing = sorted(f"{msgid!r} ({where[0]})" for msgid, where in found.items()
                     if zh.get(msgid) is None or not zh.get(msgid).string)
    assert missing == []
    assert sorted(m.id for m in zh if m.id and "fuzzy" in m.flags) == []
    stale = sorted(m.id for m in zh if m.id and m.id not in found)
    assert stale == [], "in the catalog but marked nowhere (mark with N_() or delete): %s" % stale


def test_placeholders_are_gettext_style_and_kept_in_chinese():
    for message in catalog():
        if not message.id:
            continue
        assert not re.search(r"(?<!\{)\{\w+\}", message.id), f"str.format placeholder in {message.id!r}"
        names = sorted(re.findall(r"%\((\w+)\)s", message.id))
        assert sorted(re.findall(r"%\((\w+)\)s", message.string)) == names, message.id


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("lang") / "t.db"))
    return app.test_client()


def lang_of(reply) -> str:
    return "zh" if 'lang="zh-CN"' in reply.get_data(as_text=True) else "en"


@pytest.mark.parametrize("query, cookie, accept, expected", [
    ("", None, None, "en"),                              # nothing asked: English
    ("", None, "zh-CN,zh;q=0.9,en;q=0.5", "zh"),         # Accept-Language
    ("", None, "zh-TW", "zh"),
    ("", None, "fr-FR,fr;q=0.9", "en"),                  # neither language: English
    ("", None, "en;q=0.4, zh;q=0.8", "zh"),              # the best match, by weight
    ("", "en", "zh-CN", "en"),                           # the cookie beats Accept-Language
    ("", "zh", "en-US", "zh"),
    ("?lang=zh", "en", "en-US", "zh"),                   # ?lang= beats the cookie
    ("?lang=en", "zh", "zh-CN", "en"),
    ("?lang=xx", "zh", "en-US", "zh"),                   # an unknown ?lang= is ignored
    ("", "xx", "zh-CN", "zh"),                           # so is an unknown cookie
])
def test_the_language_is_the_choice_then_the_cookie_then_accept_language(client, query, cookie, expected, accept):
    client.delete_cookie("lang")
    if cookie:
        client.set_cookie("lang", cookie)
    headers = {"Accept-Language": accept} if accept else {}
    assert lang_of(client.get("/pricing" + query, headers=headers)) == expected


def test_the_switcher_remembers_the_choice(client):
    client.delete_cookie("lang")
    reply = client.get("/pricing?lang=zh", headers={"Accept-Language": "en"})
    assert "lang=zh" in reply.headers.get("Set-Cookie", "") and 'href="?lang=en"' in reply.get_data(as_text=True)
    assert lang_of(client.get("/docs", headers={"Accept-Language": "en"})) == "zh"
    page = client.get("/docs?lang=en").get_data(as_text=True)
    assert 'href="?lang=zh"' in page and lang_of(client.get("/")) == "en"

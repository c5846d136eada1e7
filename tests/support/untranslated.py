"""English UI text left on a page rendered in Chinese: every catalog entry
whose Chinese differs from its English is looked for in the page's visible
text (text nodes and the attributes people read), outside code, scripts and
English-only content (a post with no Chinese version, `lang="en"`). A term
that Chinese translations themselves keep in English is not looked for."""
from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
SKIP = {"script", "style", "code", "pre", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRS = ("placeholder", "title", "aria-label", "alt")


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[str, re.Pattern], ...]:
    with open(PO, "rb") as f:
        catalog = read_po(f, locale="zh")
    chinese = "\n".join(m.string for m in catalog if m.id and isinstance(m.string, str))
    found = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.string.lower() == message.id.lower():
            continue  # the same word in Chinese ("API", "anthropic" -> "Anthropic")
        english = re.sub(r"\s+", " ", message.id.replace("%%", "%")).strip()
        parts = re.split(r"%\(\w+\)s", english)
        body = ".+?".join(re.escape(p) for p in parts)
        if len(english.split()) >= 2 or "%(" in english:
            pattern = re.compile(r"(?<![\w-])" + body + r"(?![\w-])")  # a phrase, anywhere in a text
        else:
            pattern = re.compile(r"^\W*" + body + r"\W*$")  # one word: the whole text (or a piece of one)
        if "%(" not in english and pattern.search(chinese):
            continue  # a term the Chinese keeps in English ("Base URL" in "API Base URL")
        found.append((english, pattern))
    return tuple(found)


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it skipped?
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (tag in SKIP or attrs.get("lang", "").startswith("en") and tag != "html"
                   or "post-body" in (attrs.get("class") or "").split())
        if not self._skipping() and not skipped:
            self.texts += [attrs[a] for a in READ_ATTRS if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.texts.append(re.sub(r"\s+", " ", data).strip())


def english_left(html: str) -> list[str]:
    """The catalog's English texts still shown on `html` (a Chinese page): []."""
    parser = _Texts()
    parser.feed(html)
    pieces = [piece.strip() for text in parser.texts for piece in re.split(r" [·|] ", text)]
    left = set()
    for english, pattern in _matchers():
        for text in pieces:
            if pattern.search(text):
                left.add(f"{english!r} in {text[:80]!r}")
    return sorted(left)


@lru_cache(maxsize=1)
def _catalog():
    with open(PO, "rb") as f:
        return read_po(f, locale="zh")


def chinese_for(text: str) -> str:
    """The catalog's Chinese for `text` ("" when it has none)."""
    message = _catalog()[text]
    return message.string if message is not None else ""

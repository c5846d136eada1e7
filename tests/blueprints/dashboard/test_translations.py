"""Every text of the account and dashboard templates has Chinese once the
app is built (the blueprints register their strings then), including texts
with placeholders, which the storefront's check does not see."""
from __future__ import annotations

import re
from pathlib import Path

from blueprints.dashboard.strings_zh import ZH as OURS
from blueprints.storefront.strings import ZH
from tests.support.stack import make_app


def test_account_and_dashboard_texts_are_translated(tmp_path):
    make_app("sqlite:///" + str(tmp_path / "t.db"))
    texts = set()
    for folder in ("templates/auth", "templates/dashboard"):
        for template in Path(folder).rglob("*.html"):
            texts |= {m.replace('\\"', '"') for m in re.findall(r'_\("((?:[^"\\]|\\.)*)"[,)]', template.read_text())}
    assert texts and sorted(texts - set(ZH)) == []
    for text, zh in OURS.items():
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", zh)), text

"""Lenient tool-argument parsing and tool-name shortening."""
from __future__ import annotations

import pytest

from services.relay.convert import ToolNames, parse_tool_arguments


@pytest.mark.parametrize("raw, expected", [
    ('{"a": 1}', {"a": 1}),
    ({"a": 1}, {"a": 1}),
    ('{"a": {"b": [1, 2', {"a": {"b": [1, 2]}}),
    ('{"path": "/tmp/x', {"path": "/tmp/x"}),
    ('{"a": 1,', {"a": 1}),
    ('{"a": 1, "b"', {"a": 1}),
    ('{"a": 1, "b":', {"a": 1}),
    ('{"a": ["x", "y"', {"a": ["x", "y"]}),
    ('{"a": 1,}', {"a": 1}),
    ('{"q": "say \\"hi', {"q": 'say "hi'}),
    ('{"q": "ends in \\', {"q": "ends in "}),
    ("{'a': True, 'b': None}", {"a": True, "b": None}),
    ('```json\n{"a": 1}\n```', {"a": 1}),
    ("[1, 2]", {}),
    ("garbage", {}),
    ("", {}),
    (None, {}),
])
def test_parse_tool_arguments(raw, expected):
    assert parse_tool_arguments(raw) == expected


def test_short_names_are_untouched():
    names = ToolNames()
    assert names.shorten("Bash") == "Bash" and names.mapping == {}


def test_long_names_are_cut_to_64_with_a_hash():
    names = ToolNames()
    long = "a" * 100
    short = names.shorten(long)
    assert len(short) == 64 and short.startswith("a" * 55)
    assert names.shorten(long) == short  # stable
    assert names.restore(short) == long and names.mapping == {short: long}

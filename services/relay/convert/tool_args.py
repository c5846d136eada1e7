"""Lenient parsing of tool-call arguments.

Upstreams sometimes return broken JSON (cut off at max_tokens, trailing
commas, Python-style quoting). Anthropic needs `input` to be an object, so we
try strict JSON, then a light repair, then a Python-literal read, then `{}`.
"""
from __future__ import annotations

import ast
import json
import re

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
_CLOSERS = {"{": "}", "[": "]"}
_STRING = r'"(?:[^"\\]|\\.)*"'
_DANGLING_COLON = re.compile(r",?\s*" + _STRING + r"\s*:\s*$")
_DANGLING_KEY = re.compile(r"([{,])\s*" + _STRING + r"$")


def parse_tool_arguments(raw) -> dict:
    """Arguments (string, dict or None) -> a dict, never raising."""
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        return {}
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    for attempt in (_loads, _loads_repaired, _literal):
        value = attempt(text)
        if isinstance(value, dict):
            return value
    return {}


def _loads(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _loads_repaired(text: str):
    return _loads(repair_json(text))


def _literal(text: str):
    # Python dict reprs (single quotes, True/None) are a common model slip.
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def repair_json(text: str) -> str:
    """Close an unterminated string and unbalanced brackets, drop trailing
    commas and a dangling key. Good enough for output cut off mid-object."""
    stack, in_string, escaped = _scan(text)
    if escaped:
        text = text[:-1]  # a lone trailing backslash would escape our quote
    if in_string:
        text += '"'
    text = text.rstrip()
    text = _DANGLING_COLON.sub("", text)
    if stack and stack[-1] == "}":
        # Inside an object a string right after `{` or `,` is a key without a value.
        text = _DANGLING_KEY.sub(r"\1", text)
    text = text.rstrip().rstrip(",")
    text += "".join(reversed(stack))
    return _TRAILING_COMMA.sub(r"\1", text)


def _scan(text: str) -> tuple[list[str], bool, bool]:
    """Closers still owed, whether the text ends inside a string, and whether
    it ends on an unfinished escape."""
    stack: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
        elif ch in "}]" and stack and stack[-1] == ch:
            stack.pop()
    return stack, in_string, escaped

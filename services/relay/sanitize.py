"""Upstream error text is untrusted: providers echo key fragments, internal
URLs and stack traces. Clients get a short message with all of that removed."""
from __future__ import annotations

import re

_PATTERNS = [
    (re.compile(r"(?i)\b(?:sk|rk|pk|ak)[-_][A-Za-z0-9_\-*.]{3,}"), "[redacted-key]"),
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer [redacted]"),
    (re.compile(r"(?i)\b(api[_-]?key|x-api-key|token|secret|password|authorization)\b(\s*[:=]\s*)\S+"),
     r"\1\2[redacted]"),
    (re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*://\S+"), "[url]"),
    (re.compile(r"\b[A-Za-z0-9+/_\-]{32,}={0,2}"), "[redacted]"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"), "[address]"),
]
_MAX = 500


def sanitize(text: str | None, secrets: tuple[str, ...] = ()) -> str:
    if not text:
        return ""
    text = str(text)[:4000]
    # Cut stack traces: everything from the first traceback marker on.
    for marker in ("Traceback (most recent call last)", '\n  File "', "\tat "):
        cut = text.find(marker)
        if cut != -1:
            text = text[:cut]
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text[:_MAX] + ("…" if len(text) > _MAX else "")

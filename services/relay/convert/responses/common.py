"""Shared pieces of the Responses converters: ids, the conversion error,
and small readers of Responses content."""
from __future__ import annotations

import contextlib
import json
import uuid
from typing import Callable, Iterator

__all__ = ["ConversionError", "content_parts_text", "dumps", "id_source", "new_id"]


class ConversionError(ValueError):
    """Input that cannot be converted; the door answers 400 with the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _random_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


_source: Callable[[str], str] = _random_id


def new_id(prefix: str) -> str:
    """A fresh id such as `msg_…`, `rs_…`, `fc_…`, `call_…` or `resp_…`."""
    return _source(prefix)


@contextlib.contextmanager
def id_source(source: Callable[[str], str]) -> Iterator[None]:
    """Make `new_id` deterministic for a test: `with id_source(counter): ...`."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous


def counting_ids() -> Callable[[str], str]:
    """An id source giving `msg_1`, `fc_2`, … (for tests and fixtures)."""
    counter = iter(range(1, 1 << 62))
    return lambda prefix: f"{prefix}_{next(counter)}"


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


TEXT_PARTS = ("input_text", "output_text", "text", "summary_text", "reasoning_text")


def content_parts_text(content, sep: str = "") -> str:
    """Responses content (a string or a list of parts) -> its text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return sep.join(p.get("text") or "" for p in content
                        if isinstance(p, dict) and p.get("type") in TEXT_PARTS)
    return ""

"""Tolerant integer reading for usage fields from sloppy upstreams."""
from __future__ import annotations


def count(value) -> int:
    """A token count: None, floats, strings and negatives read as whole, non-negative ints."""
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def first(*values) -> int:
    """The first value that is present and non-zero."""
    for value in values:
        n = count(value)
        if n:
            return n
    return 0

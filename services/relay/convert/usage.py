"""Usage conversions between the two dialects (docs/protocols.md §2).

Anthropic counts cached prompt tokens separately from `input_tokens`; OpenAI
includes them in `prompt_tokens`. Converting must move them, or billing and
Claude Code's context meter double count.
"""
from __future__ import annotations


def _int(value) -> int:
    """Tolerate None, floats and strings from sloppy upstreams."""
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def _first(*values) -> int:
    """The first value that is present and non-zero."""
    for value in values:
        if _int(value):
            return _int(value)
    return 0


def openai_cache_tokens(usage: dict) -> tuple[int, int]:
    """(cache_read, cache_creation) from an OpenAI-shaped usage dict.

    Read hits: `prompt_tokens_details.cached_tokens` (OpenAI, OpenRouter,
    Qwen) or DeepSeek's `prompt_cache_hit_tokens`. Writes: OpenRouter's
    `cache_write_tokens` or `cache_creation_tokens`, wherever they appear."""
    details = usage.get("prompt_tokens_details") or {}
    read = _first(details.get("cached_tokens"), usage.get("prompt_cache_hit_tokens"),
                  usage.get("cache_read_input_tokens"))
    creation = _first(details.get("cache_write_tokens"), details.get("cache_creation_tokens"),
                      details.get("cache_creation_input_tokens"), usage.get("cache_write_tokens"),
                      usage.get("cache_creation_tokens"), usage.get("cache_creation_input_tokens"))
    return read, creation


def openai_usage_to_anthropic(usage: dict) -> dict:
    """OpenAI usage -> Anthropic usage; input excludes cached tokens."""
    usage = usage or {}
    read, creation = openai_cache_tokens(usage)
    prompt = _int(usage.get("prompt_tokens"))
    return {
        "input_tokens": max(prompt - read - creation, 0),
        "output_tokens": _int(usage.get("completion_tokens")),
        "cache_creation_input_tokens": creation,
        "cache_read_input_tokens": read,
    }


def anthropic_usage_to_openai(usage: dict) -> dict:
    """Anthropic usage -> OpenAI usage; prompt includes cached tokens."""
    usage = usage or {}
    read = _int(usage.get("cache_read_input_tokens"))
    creation = _int(usage.get("cache_creation_input_tokens"))
    prompt = _int(usage.get("input_tokens")) + read + creation
    completion = _int(usage.get("output_tokens"))
    details = {"cached_tokens": read}
    if creation:
        # Not an OpenAI field, but OpenRouter's name for it; billing needs it.
        details["cache_write_tokens"] = creation
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": details,
    }

"""Local token arithmetic: a cheap estimate for billing without usage, and a
hard upper bound for reservations.

No tokenizer files are fetched at run time (this must work offline), so the
estimate is a heuristic: about four ASCII characters per token, one token per
other character (CJK text is close to that). The upper bound uses the fact
that byte-level BPE tokenizers never emit more tokens than the text has bytes.
"""
from __future__ import annotations

import math

# What one image costs at most on the providers we relay (high-detail tiles
# on OpenAI, ~1.6k on Anthropic); used only for bounds and estimates.
IMAGE_TOKENS = 2000
# Per-message framing (role markers, separators).
MESSAGE_OVERHEAD = 4


def estimate_text_tokens(text: str | None) -> int:
    """Rough token count for billing estimates; never negative."""
    if not text:
        return 0
    ascii_chars = len(text.encode("ascii", "ignore"))
    other = len(text) - ascii_chars
    return math.ceil(ascii_chars / 4) + other


def bound_text_tokens(text: str | None) -> int:
    """An upper bound: UTF-8 byte length."""
    if not text:
        return 0
    return len(text.encode("utf-8"))


def _walk(value, text_fn) -> int:
    """Sum text_fn over every string in a JSON-like value; images count as
    IMAGE_TOKENS instead of their (base64 or URL) bytes. A loop over a stack,
    not recursion, so no nesting depth can raise RecursionError."""
    total, pending = 0, [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            total += text_fn(value)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            if value.get("type") in ("image_url", "image", "input_image"):
                total += IMAGE_TOKENS
                continue
            for k, v in value.items():
                if k != "cache_control":
                    # Keys count too: tool schemas are mostly property names.
                    total += text_fn(k)
                    pending.append(v)
    return total


def chat_prompt_tokens(body: dict, *, bound: bool) -> int:
    """Estimate (or bound) the prompt tokens of an OpenAI chat body: messages
    plus tool definitions."""
    text_fn = bound_text_tokens if bound else estimate_text_tokens
    messages = body.get("messages") or []
    total = len(messages) * MESSAGE_OVERHEAD
    for message in messages:
        if isinstance(message, dict):
            total += _walk(message.get("content"), text_fn)
            total += _walk(message.get("tool_calls"), text_fn)
            total += _walk(message.get("reasoning_content"), text_fn)
    if body.get("tools"):
        total += _walk(body["tools"], text_fn)
    return total


def json_value_tokens(value, *, bound: bool = False) -> int:
    """Estimate (or bound) the tokens of any JSON-like value (used for other
    dialects' system prompts, tool schemas and content blocks)."""
    return _walk(value, bound_text_tokens if bound else estimate_text_tokens)

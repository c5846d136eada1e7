"""Local estimate for `/v1/messages/count_tokens`.

Claude Code's /context sends 14 of these; answering 404 makes it fall back
to paid `/v1/messages` calls. Estimates that leave out the system prompt or
tool definitions undercount badly (CLIProxyAPI #679), so both count here.
"""
from __future__ import annotations

from services.relay.tokens import IMAGE_TOKENS, MESSAGE_OVERHEAD, estimate_text_tokens, json_value_tokens

# Framing per tool definition (Anthropic wraps tools in a hidden prompt).
TOOL_OVERHEAD = 8


def count_tokens(body: dict) -> int:
    """Estimated input tokens of an Anthropic Messages request (at least 1)."""
    body = body or {}
    total = _content_tokens(body.get("system"))
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            total += MESSAGE_OVERHEAD + _content_tokens(message.get("content"))
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            total += _tool_tokens(tool)
    return max(total, 1)


def _content_tokens(content) -> int:
    if isinstance(content, str):
        return estimate_text_tokens(content)
    if isinstance(content, list):
        return sum(_block_tokens(b) for b in content if isinstance(b, dict))
    return 0


def _block_tokens(block: dict) -> int:
    kind = block.get("type")
    if kind == "text":
        return estimate_text_tokens(block.get("text"))
    if kind in ("tool_use", "server_tool_use"):
        return estimate_text_tokens(block.get("name")) + json_value_tokens(block.get("input") or {})
    if kind == "tool_result":
        return _content_tokens(block.get("content"))
    if kind == "thinking":
        return estimate_text_tokens(block.get("thinking"))
    if kind == "redacted_thinking":
        return estimate_text_tokens(block.get("data"))
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "document":
        return _document_tokens(block)
    # Unknown blocks (search results, server tool results): count their text.
    return json_value_tokens({k: v for k, v in block.items() if k != "type"})


def _document_tokens(block: dict) -> int:
    source = block.get("source") or {}
    if source.get("type") == "text":
        return estimate_text_tokens(source.get("data"))
    if source.get("type") == "content":
        return _content_tokens(source.get("content"))
    return IMAGE_TOKENS  # a PDF: no local page count, charge a fixed cost


def _tool_tokens(tool: dict) -> int:
    return (TOOL_OVERHEAD + estimate_text_tokens(tool.get("name"))
            + estimate_text_tokens(tool.get("description"))
            + json_value_tokens(tool.get("input_schema") or {}))

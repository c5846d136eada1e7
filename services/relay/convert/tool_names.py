"""Tool-name shortening for OpenAI-compatible upstreams.

OpenAI rejects function names longer than 64 characters, while Anthropic
clients (MCP tools in Claude Code) can send longer ones. Long names are cut
and suffixed with a hash so they stay unique; the map restores the original
name in responses.
"""
from __future__ import annotations

import hashlib

MAX_TOOL_NAME = 64
_HASH_LEN = 8


class ToolNames:
    """Maps upstream (possibly shortened) tool names back to the originals."""

    def __init__(self) -> None:
        self._original: dict[str, str] = {}

    def shorten(self, name: str) -> str:
        """Name to send upstream; records the mapping when it differs."""
        if not isinstance(name, str) or len(name) <= MAX_TOOL_NAME:
            return name
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH_LEN]
        short = f"{name[:MAX_TOOL_NAME - _HASH_LEN - 1]}_{digest}"
        self._original[short] = name
        return short

    def restore(self, name: str | None) -> str:
        """Original name for an upstream name (unknown names pass through)."""
        if not name:
            return name or ""
        return self._original.get(name, name)

    @property
    def mapping(self) -> dict[str, str]:
        """A copy of the upstream -> original map (only shortened names)."""
        return dict(self._original)

    def __repr__(self) -> str:
        return f"ToolNames({self._original!r})"

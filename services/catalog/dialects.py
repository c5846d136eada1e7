"""The names of the wire formats ("dialects") an upstream channel can speak,
and which of them each provider kind can send: the one list the CLI, the
admin, the catalog snapshot and the relay share. What a channel speaks is
the operator's to say (`flask channel add|edit --speaks`, the admin's channel
form); Tollgate never probes an upstream to find out. Imports nothing, so
the relay can use it without a cycle."""
from __future__ import annotations

from collections.abc import Iterable

DIALECTS: tuple[str, ...] = (
    "openai.chat",
    "openai.responses",
    "openai.completions",
    "openai.embeddings",
    "openai.images",
    "openai.audio.speech",
    "openai.audio.transcriptions",
    "openai.moderations",
    "openai.rerank",
    "openai.videos",
    "anthropic.messages",
    "gemini",
    "openai.realtime",  # WebSocket sessions (/v1/realtime), never offered by default
    "midjourney",
    "suno",
    "dashscope.images",
    "kling",
    "jimeng",
)

# What a channel speaks when the operator has not said (its `speaks` is NULL).
DEFAULT_SPEAKS: dict[str, tuple[str, ...]] = {
    "openai": ("openai.chat",),
    "anthropic": ("anthropic.messages",),
    "demo": ("openai.chat",),
    "gemini": ("gemini",),
    "midjourney": ("midjourney",),
    "suno": ("suno",),
    "dashscope": ("dashscope.images",),
    "kling": ("kling",),
    "jimeng": ("jimeng",),
}

# The dialects each provider kind's adapter can send at all.
CAN_SEND: dict[str, tuple[str, ...]] = {
    "openai": ("openai.chat", "openai.responses", "openai.completions", "openai.embeddings", "openai.images",
               "openai.audio.speech", "openai.audio.transcriptions", "openai.moderations", "openai.rerank",
               "openai.videos", "openai.realtime"),
    "anthropic": ("anthropic.messages",),
    "demo": ("openai.chat",),
    "gemini": ("gemini",),
    "midjourney": ("midjourney",),
    "suno": ("suno",),
    "dashscope": ("dashscope.images",),
    "kling": ("kling",),
    "jimeng": ("jimeng",),
}

# The provider kinds a channel can be (relay.adapters.ADAPTERS has an adapter for each).
PROVIDERS: tuple[str, ...] = tuple(CAN_SEND)


class SpeaksError(ValueError):
    pass


def _names(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [name for item in items for name in item.replace(",", " ").split()]


def parse_speaks(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Dialect names from "openai.chat, openai.responses" (comma- or
    space-separated; or a list of such strings), deduplicated, in the order
    given; () for nothing (the provider default). SpeaksError names the
    allowed values when a name is not one of DIALECTS."""
    seen: list[str] = []
    for name in _names(value):
        name = name.strip().lower()
        if name not in DIALECTS:
            raise SpeaksError(f"unknown dialect {name!r}; choose from {', '.join(DIALECTS)}")
        if name not in seen:
            seen.append(name)
    return tuple(seen)


def check_speaks(provider: str, value: str | Iterable[str] | None) -> tuple[str, ...]:
    """parse_speaks, then refuse a dialect provider kind `provider` cannot
    send. () means "the provider default"."""
    speaks = parse_speaks(value)
    sendable = CAN_SEND.get(provider, ())
    refused = [name for name in speaks if name not in sendable]
    if refused:
        raise SpeaksError(f"a channel of kind {provider} cannot speak {', '.join(refused)}; "
                          f"it can speak {', '.join(sendable) or 'nothing'}")
    return speaks


def speaks_of(provider: str, stored: str | None) -> tuple[str, ...]:
    """What a channel speaks: its stored value, or the provider default when
    NULL. Lenient (a snapshot must load whatever the database holds): names
    this version does not know, or the kind cannot send, are left out."""
    sendable = CAN_SEND.get(provider, ())
    names = []
    for name in _names(stored):
        name = name.strip().lower()
        if name in sendable and name not in names:
            names.append(name)
    return tuple(names) or DEFAULT_SPEAKS.get(provider, ())


def stored_speaks(speaks: tuple[str, ...]) -> str | None:
    """The column's value: comma-separated, NULL for the default."""
    return ",".join(speaks) or None

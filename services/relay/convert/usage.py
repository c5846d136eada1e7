"""Usage restated for a client of the other dialect (docs/protocols.md §2).

Both directions go through the dialects' own readers and writers
(services.relay.dialects), the same ones the meter bills with, so what a
client is shown and what it is charged come from one reading."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.dialects import anthropic_messages, openai_chat


def openai_usage_to_anthropic(usage: dict) -> dict:
    """OpenAI usage -> Anthropic usage; input excludes cached tokens."""
    return anthropic_messages.usage_dict(openai_chat.read_usage(usage or {}) or Usage())


def anthropic_usage_to_openai(usage: dict) -> dict:
    """Anthropic usage -> OpenAI usage; prompt includes cached tokens."""
    return openai_chat.usage_dict(anthropic_messages.read_usage(usage or {}) or Usage())

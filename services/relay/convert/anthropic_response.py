"""OpenAI chat completion -> Anthropic message (docs/protocols.md §2), and SSE framing.

The streaming state machine lives in anthropic_stream.py (re-exported here).
"""
from __future__ import annotations

import orjson

from .anthropic_stream import AnthropicStreamWriter
from .common import content_text, new_message_id, new_tool_id, reasoning_text
from .reasons import stop_reason_for
from .tool_args import parse_tool_arguments
from .tool_names import ToolNames
from .usage import openai_usage_to_anthropic

__all__ = ["AnthropicStreamWriter", "format_sse", "openai_to_anthropic_message"]


def openai_to_anthropic_message(completion: dict, *, model: str, tool_names: ToolNames | None = None) -> dict:
    """A non-stream OpenAI completion -> an Anthropic Messages response.

    Content order: thinking (from reasoning_content), text, tool_use."""
    names = tool_names or ToolNames()
    choice = _first_choice(completion)
    message = choice.get("message") or {}
    calls = _tool_calls(message)
    content = _thinking_blocks(message) + _text_blocks(message)
    content += [_tool_use(call, names) for call in calls]
    if not content:
        # Clients choke on content:[]; one empty text block is the lesser evil.
        content = [{"type": "text", "text": ""}]
    return {
        "id": new_message_id(),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason_for(choice.get("finish_reason"), has_tool_calls=bool(calls)),
        # OpenAI never says which stop sequence matched.
        "stop_sequence": None,
        "usage": openai_usage_to_anthropic(completion.get("usage") or {}),
    }


def _first_choice(completion: dict) -> dict:
    choices = completion.get("choices") or []
    return choices[0] if choices and isinstance(choices[0], dict) else {}


def _thinking_blocks(message: dict) -> list[dict]:
    text = reasoning_text(message)
    return [{"type": "thinking", "thinking": text, "signature": ""}] if text else []


def _text_blocks(message: dict) -> list[dict]:
    text = content_text(message.get("content")) or message.get("refusal") or ""
    return [{"type": "text", "text": text}] if text else []


def _tool_calls(message: dict) -> list[dict]:
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    if not calls and isinstance(message.get("function_call"), dict):
        calls = [{"function": message["function_call"]}]  # legacy function calling
    return calls


def _tool_use(call: dict, names: ToolNames) -> dict:
    function = call.get("function") or {}
    return {
        "type": "tool_use",
        "id": call.get("id") or new_tool_id(),
        "name": names.restore(function.get("name") or ""),
        "input": parse_tool_arguments(function.get("arguments")),
    }


def format_sse(event: str, data: dict) -> bytes:
    """One SSE frame: an event line, a data line with compact UTF-8 JSON, a
    blank line. orjson writes exactly that JSON (no ASCII escaping, no
    spaces), faster than json.dumps."""
    return b"event: " + event.encode("utf-8") + b"\ndata: " + orjson.dumps(data) + b"\n\n"

"""Small helpers shared by the converters: ids and OpenAI field readers."""
from __future__ import annotations

import uuid


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex[:24]}"


def new_tool_id() -> str:
    return f"toolu_{uuid.uuid4().hex[:24]}"


def new_completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def reasoning_text(message: dict) -> str:
    """Reasoning from an OpenAI message or delta: `reasoning_content`
    (DeepSeek, Qwen, vLLM) or OpenRouter's `reasoning`. Some servers send
    both with the same text, so take one, not the sum."""
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def content_text(content) -> str:
    """OpenAI content (string or list of parts) -> its text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text") or "" for p in content
                       if isinstance(p, dict) and p.get("type") in ("text", "output_text"))
    return ""


def route_fragment(entry: dict, function: dict, by_id: dict, by_index: dict, calls: list):
    """The tool call a streamed chat tool-call fragment belongs to: by id,
    then index, then the last call; None means a new call. Providers omit
    index (Gemini), reuse index 0 (Ollama) or send a wrong one (DeepSeek).
    A fragment's index is remembered for the call it was routed to."""
    call_id, index = entry.get("id"), entry.get("index")
    if call_id:
        call = by_id.get(call_id)
        if call is not None and isinstance(index, int):
            by_index[index] = call
        return call
    if isinstance(index, int) and index in by_index:
        return by_index[index]
    if function.get("name") or not calls:
        return None
    call = calls[-1]
    if isinstance(index, int):
        by_index[index] = call
    return call

"""Anthropic `system` + `messages` -> OpenAI chat messages (docs/protocols.md §1).

Rules that other relays got wrong and that matter here:
- tool results become one `tool` message each, emitted before the user's
  text, and every assistant tool_call is answered (OpenAI returns 400 else);
- assistant content is `null`, not `""`, next to tool_calls;
- `is_error` survives as an "Error: " prefix;
- Claude Code's mid-conversation `role:"system"` messages stay in place, or
  are folded into a `<system-reminder>` user turn for providers that only
  accept one leading system message.
"""
from __future__ import annotations

import json

from .tool_names import ToolNames

# Providers that reject system messages after the first position.
FOLD_SYSTEM_PROVIDERS = frozenset({"qwen", "deepseek"})
# Claude Code's first system block is a per-request billing marker for
# Anthropic; other upstreams have no use for it and it defeats prefix caching.
BILLING_HEADER_PREFIX = "x-anthropic-billing-header:"
MISSING_TOOL_RESULT = "(no result)"


def convert_system(system, *, keep_cache: bool) -> list[dict]:
    """Top-level `system` (string or text blocks) -> at most one system message."""
    blocks = [b for b in _blocks(system) if b.get("type") == "text" and b.get("text")
              and not b["text"].startswith(BILLING_HEADER_PREFIX)]
    if not blocks:
        return []
    if keep_cache and any(b.get("cache_control") for b in blocks):
        # OpenRouter forwards cache_control on parts to Anthropic models.
        return [{"role": "system", "content": [_text_part(b, keep_cache) for b in blocks]}]
    return [{"role": "system", "content": "\n\n".join(b["text"] for b in blocks)}]


def convert_messages(messages, *, names: ToolNames, provider: str, keep_cache: bool) -> list[dict]:
    """All conversation turns, with tool calls paired to their results."""
    out: list[dict] = []
    for message in messages or []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "system":
            out.extend(_system_turn(message, provider))
        elif role == "assistant":
            out.extend(_assistant_turn(message, names, provider, keep_cache))
        else:
            out.extend(_user_turn(message, keep_cache))
    out = pair_tool_calls(out)
    if provider in FOLD_SYSTEM_PROVIDERS:
        out = merge_user_turns(out)
    return out


# --- content helpers -------------------------------------------------------

def _blocks(content) -> list[dict]:
    """Anthropic content (string, block list or None) -> block list."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [b for b in content if isinstance(b, dict)]
    return []


def plain_text(content, sep: str = "\n") -> str:
    """The text blocks of Anthropic content, joined."""
    return sep.join(b.get("text") or "" for b in _blocks(content)
                    if b.get("type") == "text" and b.get("text"))


def _text_part(block: dict, keep_cache: bool) -> dict:
    part = {"type": "text", "text": block.get("text") or ""}
    if keep_cache and block.get("cache_control"):
        part["cache_control"] = block["cache_control"]
    return part


def _image_part(block: dict) -> dict | None:
    source = block.get("source") or {}
    if source.get("type") == "base64" and source.get("data"):
        media = source.get("media_type") or "image/png"
        return {"type": "image_url", "image_url": {"url": f"data:{media};base64,{source['data']}"}}
    if source.get("type") == "url" and source.get("url"):
        return {"type": "image_url", "image_url": {"url": source["url"]}}
    return None  # file ids live in Anthropic's Files API; nothing to send


def _document_part(block: dict) -> dict | None:
    source = block.get("source") or {}
    if source.get("type") == "text" and source.get("data"):
        return {"type": "text", "text": source["data"]}
    if source.get("type") == "content":
        text = plain_text(source.get("content"))
        return {"type": "text", "text": text} if text else None
    if source.get("type") == "base64" and source.get("data"):
        media = source.get("media_type") or "application/pdf"
        name = block.get("title") or "document.pdf"
        return {"type": "file", "file": {"filename": name, "file_data": f"data:{media};base64,{source['data']}"}}
    return None


def _user_part(block: dict, keep_cache: bool) -> dict | None:
    kind = block.get("type")
    if kind == "text":
        return _text_part(block, keep_cache) if block.get("text") else None
    if kind == "image":
        return _image_part(block)
    if kind == "document":
        return _document_part(block)
    return None


def _collapse(parts: list[dict]):
    """A lone plain text part becomes a string (what most upstreams expect)."""
    if len(parts) == 1 and parts[0]["type"] == "text" and "cache_control" not in parts[0]:
        return parts[0]["text"]
    return parts


# --- turns -----------------------------------------------------------------

def _system_turn(message: dict, provider: str) -> list[dict]:
    text = plain_text(message.get("content"), "\n\n")
    if not text:
        return []
    if provider in FOLD_SYSTEM_PROVIDERS:
        return [{"role": "user", "content": f"<system-reminder>\n{text}\n</system-reminder>"}]
    return [{"role": "system", "content": text}]


def _user_turn(message: dict, keep_cache: bool) -> list[dict]:
    """Tool results first (one tool message each), then the user's own parts."""
    tool_messages, tool_images, parts = [], [], []
    for block in _blocks(message.get("content")):
        if block.get("type") == "tool_result":
            tool_message, images = _tool_result(block, keep_cache)
            tool_messages.append(tool_message)
            tool_images.extend(images)
        else:
            part = _user_part(block, keep_cache)
            if part:
                parts.append(part)
    # Tool messages carry text only; their images go into the next user turn.
    parts = tool_images + parts
    if parts:
        tool_messages.append({"role": "user", "content": _collapse(parts)})
    return tool_messages


def _tool_result(block: dict, keep_cache: bool) -> tuple[dict, list[dict]]:
    blocks = _blocks(block.get("content"))
    text = plain_text(blocks)
    images = [p for p in (_image_part(b) for b in blocks if b.get("type") == "image") if p]
    if block.get("is_error"):
        # OpenAI has no error flag on tool messages; keep the signal in the text.
        text = f"Error: {text}" if text else "Error"
    content = text
    if keep_cache and block.get("cache_control"):
        content = [{"type": "text", "text": text, "cache_control": block["cache_control"]}]
    return {"role": "tool", "tool_call_id": block.get("tool_use_id") or "", "content": content}, images


def _assistant_turn(message: dict, names: ToolNames, provider: str, keep_cache: bool) -> list[dict]:
    texts, calls, thinking = [], [], []
    for block in _blocks(message.get("content")):
        kind = block.get("type")
        if kind == "text" and block.get("text"):
            texts.append(block)
        elif kind == "tool_use":
            calls.append(_tool_call(block, names))
        elif kind == "thinking" and block.get("thinking"):
            thinking.append(block["thinking"])
    out = {"role": "assistant", "content": _assistant_content(texts, keep_cache)}
    if calls:
        out["tool_calls"] = calls
    # DeepSeek's thinking mode returns 400 in tool loops unless reasoning is sent back.
    if provider == "deepseek" and thinking:
        out["reasoning_content"] = "".join(thinking)
    if out["content"] is None and not calls:
        if "reasoning_content" not in out:
            return []
        out["content"] = ""
    return [out]


def _assistant_content(texts: list[dict], keep_cache: bool):
    """Joined text, or None (never "") so no empty text block comes back."""
    if not texts:
        return None
    if keep_cache and any(b.get("cache_control") for b in texts):
        return [_text_part(b, keep_cache) for b in texts]
    return "\n\n".join(b["text"] for b in texts)


def _tool_call(block: dict, names: ToolNames) -> dict:
    arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
    return {"id": block.get("id") or "", "type": "function",
            "function": {"name": names.shorten(block.get("name") or ""), "arguments": arguments}}


# --- whole-list fixes ------------------------------------------------------

def pair_tool_calls(messages: list[dict]) -> list[dict]:
    """Put each assistant's tool answers right after it, in call order;
    invent missing answers, move anything in between after them, and turn
    orphan tool messages into user text. OpenAI rejects any other shape."""
    out: list[dict] = []
    i = 0
    while i < len(messages):
        message = messages[i]
        i += 1
        if message["role"] == "tool":
            out.append(_orphan_result(message))
            continue
        out.append(message)
        ids = [c["id"] for c in message.get("tool_calls") or []]
        if not ids:
            continue
        answers, deferred = {}, []
        while i < len(messages) and messages[i]["role"] != "assistant":
            follower = messages[i]
            i += 1
            call_id = follower.get("tool_call_id")
            if follower["role"] == "tool" and call_id in ids and call_id not in answers:
                answers[call_id] = follower
            else:
                deferred.append(follower)
        out.extend(answers.get(cid) or _missing_result(cid) for cid in ids)
        out.extend(_orphan_result(m) if m["role"] == "tool" else m for m in deferred)
    return out


def _missing_result(call_id: str) -> dict:
    return {"role": "tool", "tool_call_id": call_id, "content": MISSING_TOOL_RESULT}


def _orphan_result(message: dict) -> dict:
    content = message.get("content")
    text = content if isinstance(content, str) else plain_text(content)
    return {"role": "user", "content": f"[tool result {message.get('tool_call_id')}]\n{text}"}


def merge_user_turns(messages: list[dict]) -> list[dict]:
    """Merge consecutive user messages (folded system reminders + user text)."""
    out: list[dict] = []
    for message in messages:
        if out and message["role"] == "user" and out[-1]["role"] == "user":
            out[-1] = {"role": "user", "content": _join_content(out[-1]["content"], message["content"])}
        else:
            out.append(message)
    return out


def _join_content(first, second):
    if isinstance(first, str) and isinstance(second, str):
        return f"{first}\n\n{second}"
    return _as_parts(first) + _as_parts(second)


def _as_parts(content) -> list[dict]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return list(content or [])

"""OpenAI chat messages -> Anthropic `system` + `messages` (docs/protocols.md §4).

Anthropic is stricter than OpenAI: system text lives outside the list, the
first turn is the user's, roles alternate, text blocks are non-empty, and
every tool_use is answered by a tool_result in the very next user message.
"""
from __future__ import annotations

import re

from .common import content_text, new_tool_id
from .tool_args import parse_tool_arguments

PLACEHOLDER_USER_TEXT = "..."
MISSING_TOOL_RESULT = "(no result)"
_DATA_URL = re.compile(r"^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$", re.S)


def convert_chat_messages(messages) -> tuple[str, list[dict]]:
    """-> (system text, Anthropic messages)."""
    system: list[str] = []
    turns: list[dict] = []
    for message in messages or []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role in ("system", "developer"):
            # Anthropic has one system prompt; collect them from anywhere.
            text = content_text(message.get("content"))
            if text.strip():
                system.append(text)
            continue
        turn = _turn(role, message)
        if turn["content"]:
            turns.append(turn)
    turns = pair_tool_results(merge_turns(turns))
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": [_text(PLACEHOLDER_USER_TEXT)]})
    _strip_final_assistant(turns)
    return "\n\n".join(system), turns


def _turn(role: str, message: dict) -> dict:
    if role == "assistant":
        return {"role": "assistant", "content": _assistant_blocks(message)}
    if role == "tool":
        return {"role": "user", "content": [_tool_result(message)]}
    if role == "function":
        # Legacy results carry no call id; keep them as plain text.
        text = content_text(message.get("content"))
        return {"role": "user", "content": [_text(f"[{message.get('name')} result]\n{text}")]}
    return {"role": "user", "content": _user_blocks(message.get("content"))}


def _text(text: str, cache_control=None) -> dict:
    block = {"type": "text", "text": text}
    if cache_control:
        block["cache_control"] = cache_control
    return block


def _user_blocks(content) -> list[dict]:
    if isinstance(content, str):
        return [_text(content)] if content.strip() else []
    blocks = []
    for part in content or []:
        block = _user_block(part) if isinstance(part, dict) else None
        if block:
            blocks.append(block)
    return blocks


def _user_block(part: dict) -> dict | None:
    kind = part.get("type")
    if kind == "text":
        # Anthropic rejects empty (and whitespace-only) text blocks.
        return _text(part["text"], part.get("cache_control")) if (part.get("text") or "").strip() else None
    if kind == "image_url":
        url = part.get("image_url")
        url = url.get("url") if isinstance(url, dict) else url  # some clients send a bare string
        return _image(url) if isinstance(url, str) and url else None
    if kind == "file":
        return _document((part.get("file") or {}).get("file_data"))
    return None  # input_audio etc.: no Anthropic equivalent


def _image(url: str) -> dict:
    match = _DATA_URL.match(url)
    if match:
        source = {"type": "base64", "media_type": match.group(1) or "image/png", "data": match.group(2)}
    else:
        source = {"type": "url", "url": url}
    return {"type": "image", "source": source}


def _document(file_data) -> dict | None:
    match = _DATA_URL.match(file_data or "")
    if not match:
        return None
    media = match.group(1) or "application/pdf"
    return {"type": "document", "source": {"type": "base64", "media_type": media, "data": match.group(2)}}


def _assistant_blocks(message: dict) -> list[dict]:
    # reasoning_content has no signature, so Anthropic would reject it: dropped.
    text = content_text(message.get("content")) or message.get("refusal") or ""
    blocks = [_text(text)] if text.strip() else []
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    if not calls and isinstance(message.get("function_call"), dict):
        calls = [{"function": message["function_call"]}]
    for call in calls:
        function = call.get("function") or {}
        blocks.append({"type": "tool_use", "id": call.get("id") or new_tool_id(),
                       "name": function.get("name") or "",
                       "input": parse_tool_arguments(function.get("arguments"))})
    return blocks


def _tool_result(message: dict) -> dict:
    block = {"type": "tool_result", "tool_use_id": message.get("tool_call_id") or ""}
    text = content_text(message.get("content"))
    if text:
        block["content"] = text
    return block


def merge_turns(turns: list[dict]) -> list[dict]:
    """Anthropic wants alternating roles: merge consecutive same-role turns."""
    out: list[dict] = []
    for turn in turns:
        if out and out[-1]["role"] == turn["role"]:
            out[-1] = {"role": turn["role"], "content": out[-1]["content"] + turn["content"]}
        else:
            out.append(turn)
    return out


def pair_tool_results(turns: list[dict]) -> list[dict]:
    """Every tool_use answered in the next user turn, results before text;
    missing answers are invented, orphan results become text."""
    out: list[dict] = []
    pending: list[str] = []
    for turn in turns:
        if turn["role"] == "user":
            turn = _answer(turn, pending)
            pending = []
        elif pending:
            out.append(_answer({"role": "user", "content": []}, pending))
            pending = []
        if turn["role"] == "assistant":
            pending = [b["id"] for b in turn["content"] if b.get("type") == "tool_use"]
        out.append(turn)
    if pending:
        out.append(_answer({"role": "user", "content": []}, pending))
    return out


def _answer(turn: dict, pending: list[str]) -> dict:
    results, others, seen = [], [], set()
    for block in turn["content"]:
        if block.get("type") != "tool_result":
            others.append(block)
        elif block["tool_use_id"] in pending and block["tool_use_id"] not in seen:
            seen.add(block["tool_use_id"])
            results.append(block)
        else:
            others.append(_text(f"[tool result {block['tool_use_id']}]\n{block.get('content') or ''}"))
    missing = [{"type": "tool_result", "tool_use_id": cid, "content": MISSING_TOOL_RESULT}
               for cid in pending if cid not in seen]
    return {"role": "user", "content": results + missing + others}


def _strip_final_assistant(turns: list[dict]) -> None:
    """A final assistant (prefill) text may not end with whitespace."""
    last = turns[-1]
    if last["role"] == "assistant" and last["content"][-1].get("type") == "text":
        last["content"][-1]["text"] = last["content"][-1]["text"].rstrip()

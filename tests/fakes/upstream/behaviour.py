"""Directive parsing and the per-request response plan of the fake upstream.

A request's behaviour is ``DEFAULTS`` overlaid with the ``/_control/config``
defaults, overlaid with every ``[[fake {json}]]`` directive found in the text
of the request's messages (later directives win over earlier ones).
"""
from __future__ import annotations

import json
import os
import re

import orjson

DEFAULT_REPLY = "Hello from the fake upstream."

DEFAULTS: dict = {
    "reply": DEFAULT_REPLY,
    "chunks": None,
    "delay": 0.0,
    "first_byte_delay": 0.0,
    "tail_delay": 0.0,
    "hang": False,
    "usage": True,
    "status": None,
    "error_message": None,
    "error_type": None,
    "error_code": None,
    "retry_after": None,
    "die_after": None,
    "error_after": None,
    "tools": None,
    "arg_chunks": 3,
    "tool_index_style": "normal",
    "reasoning": None,
    "reasoning_chunks": None,
    "echo": False,
    "finish_reason": None,
    "stop_reason": None,
    "usage_with_finish": False,
    "combined_final": False,
    "mode": None,  # free-form label, no effect (accepted so `"mode": "slow"` style notes work)
}
# Keys only meaningful in /_control/config (server-wide), not per request.
CONFIG_ONLY = {"require_key": None, "models": None, "strict": True,
               "rerank_shape": None, "search_units": None}  # embeddings_wire's rerank: Cohere's shape

_INT_KEYS = ("chunks", "status", "retry_after", "die_after", "error_after", "arg_chunks", "reasoning_chunks")
_FLOAT_KEYS = ("delay", "first_byte_delay", "tail_delay")
_MARK = "[[fake"
_MARK_B = b"[[fake"
_DECODER = json.JSONDecoder()
_WORD_RE = re.compile(r"\s*\S+")
HANG_SECONDS = 3600.0


class DirectiveError(ValueError):
    """A malformed directive or config value (answered with HTTP 400)."""


def validate(d: dict, allowed: dict, where: str) -> dict:
    """Check keys and coerce numeric values; returns a new dict."""
    out = {}
    for k, v in d.items():
        if k not in allowed:
            raise DirectiveError(f"fake upstream: unknown {where} key {k!r}")
        if v is not None:
            try:
                if k in _INT_KEYS:
                    v = int(v)
                elif k in _FLOAT_KEYS:
                    v = float(v)
            except (TypeError, ValueError):
                raise DirectiveError(f"fake upstream: {where} key {k!r} must be a number, got {v!r}") from None
        if k == "tools" and v is not None:
            if not isinstance(v, list) or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in v):
                raise DirectiveError('fake upstream: "tools" must be a list of {"name": str, "arguments": {...}}')
        if k == "status" and v is not None and v != 200 and not 400 <= v <= 599:
            raise DirectiveError('fake upstream: "status" must be 200 or an error status 400-599')
        if k == "tool_index_style" and v not in ("normal", "omit", "zero"):
            raise DirectiveError('fake upstream: "tool_index_style" must be "normal", "omit" or "zero"')
        if k == "usage" and not (v is None or isinstance(v, (bool, dict))):
            raise DirectiveError('fake upstream: "usage" must be true, false or an object')
        out[k] = v
    return out


# ---------------------------------------------------------------- text access

def _texts(content):
    """Yield every text string in an OpenAI/Anthropic message content value."""
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict):
                t = part.get("text")
                if isinstance(t, str):
                    yield t
                inner = part.get("content")  # Anthropic tool_result blocks
                if inner is not None:
                    yield from _texts(inner)
            elif isinstance(part, str):
                yield part


def _responses_items(body: dict):
    """(role, content) of the Responses ``input`` entries that count as messages: a string
    input is one user message; message items (``type`` "message" or absent, content a
    string or input_text/output_text parts) and ``function_call_output`` items (their
    ``output``) count; ``function_call``, ``reasoning`` and other items do not."""
    items = body.get("input")
    if isinstance(items, str):
        return [("user", items)]
    out = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, str):
                out.append(("user", item))
            elif isinstance(item, dict):
                kind = item.get("type", "message")
                if kind == "message":
                    out.append((item.get("role"), item.get("content")))
                elif kind == "function_call_output":
                    out.append(("tool", item.get("output")))
    return out


def _completion_prompt(body: dict):
    """A legacy completion's `prompt` (a string, or strings) as one user message."""
    prompt = body.get("prompt")
    if isinstance(prompt, list):
        prompt = "\n".join(p for p in prompt if isinstance(p, str))
    return [("user", prompt if isinstance(prompt, str) else "")]


def _gemini_parts(parts):
    """Gemini parts as text parts: `text`, and a functionResponse's
    `response.output` (or its whole response, as JSON)."""
    out = []
    for part in parts or ():
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str) and not part.get("thought"):
            out.append({"text": part["text"]})
        fr = part.get("functionResponse")
        if isinstance(fr, dict):
            response = fr.get("response")
            output = response.get("output") if isinstance(response, dict) else None
            out.append({"text": output if isinstance(output, str) else json.dumps(response)})
    return out


def _gemini_messages(body: dict):
    """(role, content) of a GenerateContentRequest: `systemInstruction` as
    one system message, then each of `contents`."""
    out = []
    system = body.get("systemInstruction")
    if isinstance(system, dict):
        out.append(("system", _gemini_parts(system.get("parts"))))
    for content in body.get("contents") or ():
        if isinstance(content, dict):
            out.append((content.get("role") or "user", _gemini_parts(content.get("parts"))))
    return out


def message_contents(body: dict, dialect: str):
    """Content values that count as messages: Anthropic ``system`` first (if any), then ``messages``;
    Responses ``instructions`` first (if any), then the message-like items of ``input``."""
    out = []
    if dialect == "gemini":
        return [content for _role, content in _gemini_messages(body)]
    if dialect == "completions":
        return [content for _role, content in _completion_prompt(body)]
    if dialect == "responses":
        instructions = body.get("instructions")
        if isinstance(instructions, str) and instructions:
            out.append(instructions)
        out.extend(content for _role, content in _responses_items(body))
        return out
    if dialect == "anthropic":
        system = body.get("system")
        if system:
            out.append(system)
    msgs = body.get("messages")
    if isinstance(msgs, list):
        for m in msgs:
            out.append(m.get("content") if isinstance(m, dict) else None)
    return out


def count_prompt_tokens(contents) -> int:
    """Deterministic prompt size: whitespace-separated words of all text + 3 per message."""
    n = 0
    for c in contents:
        n += 3
        if isinstance(c, str):
            n += len(c.split())
        elif c is not None:
            for t in _texts(c):
                n += len(t.split())
    return n


def _parse_in_text(text: str, found: list) -> str:
    """Collect the directives of one text into ``found``; return the text without them."""
    i = text.find(_MARK)
    if i < 0:
        return text
    kept = []
    start = 0
    while i >= 0:
        j = i + len(_MARK)
        n = len(text)
        while j < n and text[j].isspace():
            j += 1
        try:
            obj, end = _DECODER.raw_decode(text, j)
        except ValueError as e:
            raise DirectiveError(f"fake upstream: bad directive JSON at {text[i:i + 60]!r}: {e}") from None
        if not isinstance(obj, dict):
            raise DirectiveError("fake upstream: a directive must hold a JSON object")
        while end < n and text[end].isspace():
            end += 1
        if not text.startswith("]]", end):
            raise DirectiveError(f"fake upstream: directive not closed with ']]' at {text[i:i + 60]!r}")
        found.append(obj)
        kept.append(text[start:i])
        start = end + 2
        i = text.find(_MARK, start)
    kept.append(text[start:])
    return "".join(kept)


def find_directives(contents) -> dict | None:
    found: list = []
    for c in contents:
        if c is not None:
            for t in _texts(c):
                _parse_in_text(t, found)
    if not found:
        return None
    merged: dict = {}
    for d in found:
        merged.update(d)
    return merged


def last_user_text(body: dict, dialect: str = "openai") -> str:
    """Text of the last user message with directives removed (for ``echo``)."""
    if dialect == "responses":
        msgs = [{"role": role, "content": content} for role, content in _responses_items(body)]
    elif dialect == "gemini":
        msgs = [{"role": role, "content": content} for role, content in _gemini_messages(body)]
    elif dialect == "completions":
        msgs = [{"role": role, "content": content} for role, content in _completion_prompt(body)]
    else:
        msgs = body.get("messages")
    if not isinstance(msgs, list):
        return ""
    for m in reversed(msgs):
        if isinstance(m, dict) and m.get("role") == "user":
            parts = [_parse_in_text(t, []) for t in _texts(m.get("content"))]
            return "\n".join(parts).strip()
    return ""


# ---------------------------------------------------------------- chunking

def split_words(text: str, chunks: int | None) -> list[str]:
    """Split ``text`` into pieces whose concatenation is the streamed text.

    Default: one piece per word (leading whitespace kept on the piece). With
    ``chunks`` = N: exactly N pieces, grouping words when there are more words
    than N and cycling the words (space separated) when there are fewer.
    Empty text gives no pieces at all.
    """
    if not text:
        return []
    words = _WORD_RE.findall(text)
    if not words:  # whitespace only
        return [text]
    tail = text[len("".join(words)):]
    if tail:
        words[-1] += tail
    if chunks is None or chunks == len(words):
        return words
    if chunks <= 0:
        return []
    if chunks > len(words):
        base = [w.strip() for w in words]
        extra = [" " + base[i % len(base)] for i in range(chunks - len(words))]
        return words + extra
    q, r = divmod(len(words), chunks)
    out, pos = [], 0
    for g in range(chunks):
        size = q + (1 if g < r else 0)
        out.append("".join(words[pos:pos + size]))
        pos += size
    return out


def split_even(s: str, n: int) -> list[str]:
    """Split a string into min(n, len(s)) (at least 1) contiguous pieces."""
    n = max(1, min(n, len(s)))
    q, r = divmod(len(s), n)
    out, pos = [], 0
    for i in range(n):
        size = q + (1 if i < r else 0)
        out.append(s[pos:pos + size])
        pos += size
    return out


def rand_id(n: int = 24) -> str:
    return os.urandom((n + 1) // 2).hex()[:n]


class ToolCall:
    __slots__ = ("id", "name", "args", "arguments", "pieces")

    def __init__(self, spec: dict, prefix: str, arg_chunks: int):
        self.id = spec.get("id") or prefix + rand_id()
        self.name = spec["name"]
        args = spec.get("arguments", {})
        # a string is sent verbatim (lets tests send malformed JSON on purpose)
        self.args = args if isinstance(args, str) else orjson.dumps(args).decode()
        self.arguments = args
        self.pieces = split_even(self.args, arg_chunks)


class Plan:
    """Everything needed to answer one generation request, in any dialect
    ("openai" chat, "anthropic", "responses", "gemini")."""

    __slots__ = ("b", "content", "reasoning", "tools", "prompt_tokens", "directive")

    def __init__(self, body: dict, dialect: str, defaults: dict, raw: bytes):
        contents = message_contents(body, dialect)
        directive = None
        if _MARK_B in raw:
            directive = find_directives(contents)
            if directive is not None:
                directive = validate(directive, DEFAULTS, "directive")
        self.directive = directive
        if directive or defaults:
            b = dict(DEFAULTS)
            b.update(defaults)
            if directive:
                b.update(directive)
        else:
            b = DEFAULTS
        self.b = b
        self.prompt_tokens = count_prompt_tokens(contents)
        text = last_user_text(body, dialect) if b["echo"] else (b["reply"] or "")
        if b is DEFAULTS:
            self.content = _DEFAULT_PIECES
        else:
            self.content = split_words(text, b["chunks"])
        self.reasoning = split_words(b["reasoning"], b["reasoning_chunks"]) if b["reasoning"] else []
        tools = b["tools"]
        if tools:
            prefix = "toolu_" if dialect == "anthropic" else "call_"
            self.tools = [ToolCall(t, prefix, b["arg_chunks"] or 1) for t in tools]
        else:
            self.tools = []

    @property
    def text(self) -> str:
        return "".join(self.content)

    @property
    def n_deltas(self) -> int:
        return len(self.content) + len(self.reasoning) + sum(len(t.pieces) for t in self.tools)

    @property
    def completion_tokens(self) -> int:
        return self.n_deltas

    def usage_overrides(self):
        """None when usage is disabled, else a dict of overrides (maybe empty)."""
        u = self.b["usage"]
        if u is False:
            return None
        return u if isinstance(u, dict) else {}


_DEFAULT_PIECES = split_words(DEFAULT_REPLY, None)

"""The built-in demo channel: answers locally, no provider key needed, so a
newcomer's first request works. It still goes through reservation, billing
and the request log like any other channel."""
from __future__ import annotations

import secrets
import time

from services.relay.adapters.base import StreamEvent, Timeouts
from services.relay.tokens import chat_prompt_tokens, estimate_text_tokens

WORD_DELAY = 0.02  # seconds between streamed words, so streaming is visible


def _last_user_text(body: dict) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def reply_for(body: dict) -> str:
    said = " ".join(_last_user_text(body).split())[:200]
    return (f"Hello from Tollgate's demo model. You said: \"{said}\". "
            "Add a real upstream channel to talk to a real model.")


def _usage(body: dict, text: str) -> dict:
    prompt = chat_prompt_tokens(body, bound=False)
    completion = estimate_text_tokens(text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _limit(body: dict, text: str) -> tuple[str, str]:
    """Honour max_tokens roughly, as a real model would."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if isinstance(limit, int) and limit > 0 and estimate_text_tokens(text) > limit:
        return text[: limit * 4], "length"
    return text, "stop"


class DemoStream:
    def __init__(self, body: dict):
        self.body = body
        self.aborted = False

    def __iter__(self):
        text, finish = _limit(self.body, reply_for(self.body))
        base = {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion.chunk",
                "created": int(time.time()), "model": self.body["model"]}
        yield StreamEvent({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                "finish_reason": None}]})
        words = text.split(" ")
        for i, word in enumerate(words):
            if self.aborted:
                return
            time.sleep(WORD_DELAY)
            piece = word if i == 0 else " " + word
            yield StreamEvent({**base, "choices": [{"index": 0, "delta": {"content": piece},
                                                    "finish_reason": None}]})
        yield StreamEvent({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (self.body.get("stream_options") or {}).get("include_usage"):
            yield StreamEvent({**base, "choices": [], "usage": _usage(self.body, text)})
        yield StreamEvent(None, b"data: [DONE]\n\n", last=True)

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.aborted = True


class DemoAdapter:
    kind = "demo"
    can_send = frozenset({"openai.chat"})

    def send(self, channel, dialect: str, body: dict, timeouts: Timeouts, *, stream: bool,
             headers: dict | None = None):
        if stream:
            return DemoStream(body)
        text, finish = _limit(body, reply_for(body))
        return {
            "id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion",
            "created": int(time.time()), "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": finish}],
            "usage": _usage(body, text),
        }

"""Legacy completions (POST /v1/completions) served by a chat upstream: the
prompt becomes one user message, the reply's content comes back as `text`.
What chat cannot emulate (`suffix`, `echo`, `logprobs`, `best_of`, several
prompts, token-array prompts) is refused, never silently dropped."""
from __future__ import annotations

import time
import uuid

# Sampling fields with the same meaning in both APIs.
SHARED_FIELDS = ("temperature", "top_p", "n", "stop", "presence_penalty", "frequency_penalty", "seed",
                 "logit_bias", "user")
UNSUPPORTED = ("suffix", "echo", "logprobs", "best_of")


class CompletionsConversionError(ValueError):
    pass


def _prompt(prompt) -> str:
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        return prompt[0]
    if isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        raise CompletionsConversionError("several prompts in one request cannot be sent to a chat model; "
                                         "send one request per prompt")
    raise CompletionsConversionError("token-array prompts cannot be sent to a chat model; send the text")


def completions_to_chat_request(body: dict, *, upstream_model: str, max_output_tokens: int | None) -> dict:
    for name in UNSUPPORTED:
        value = body.get(name)
        if value is not None and value is not False and not (name == "best_of" and value == 1) \
                and not (name == "suffix" and value == ""):
            raise CompletionsConversionError(f"'{name}' cannot be emulated on a chat model")
    out: dict = {"model": upstream_model, "messages": [{"role": "user", "content": _prompt(body.get("prompt"))}]}
    if max_output_tokens:
        out["max_tokens"] = max_output_tokens
    for name in SHARED_FIELDS:
        if body.get(name) is not None:
            out[name] = body[name]
    if body.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out


def new_completion_id() -> str:
    return f"cmpl-{uuid.uuid4().hex[:24]}"


def chat_to_completion_answer(completion: dict, *, model: str) -> dict:
    choices = []
    for i, choice in enumerate(c for c in completion.get("choices") or () if isinstance(c, dict)):
        message = choice.get("message") or {}
        content = message.get("content")
        choices.append({"text": content if isinstance(content, str) else "",
                        "index": choice.get("index", i), "logprobs": None,
                        "finish_reason": choice.get("finish_reason") or "stop"})
    out = {"id": new_completion_id(), "object": "text_completion",
           "created": completion.get("created") or int(time.time()), "model": model, "choices": choices}
    if completion.get("usage"):
        out["usage"] = completion["usage"]
    return out


class CompletionChunks:
    """Chat chunks in, legacy completion chunks out: `{object:
    "text_completion", choices: [{text, index, logprobs, finish_reason}]}`;
    the usage chunk keeps `choices: []`."""

    def __init__(self, *, model: str):
        self.model = model
        self.id = new_completion_id()
        self.created = int(time.time())

    def _chunk(self, choices: list, usage=None) -> dict:
        out = {"id": self.id, "object": "text_completion", "created": self.created, "model": self.model,
               "choices": choices}
        if usage is not None:
            out["usage"] = usage
        return out

    def feed(self, chunk: dict) -> list[dict]:
        choices = []
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            text = (choice.get("delta") or {}).get("content")
            finish = choice.get("finish_reason")
            if text or finish:
                choices.append({"text": text or "", "index": choice.get("index", 0), "logprobs": None,
                                "finish_reason": finish})
        out = [self._chunk(choices)] if choices else []
        if chunk.get("usage"):
            out.append(self._chunk([], chunk["usage"]))
        return out

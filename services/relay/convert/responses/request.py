"""Responses request -> chat completions request (docs/protocols.md §6)."""
from __future__ import annotations

import json

from .common import ConversionError, content_parts_text, dumps
from .tools import (LOCAL_SHELL, ToolKinds, chat_tool_choice, chat_tools, custom_arguments,
                    shell_arguments)

# Providers that take earlier reasoning back as `reasoning_content`.
REASONING_BACK = ("deepseek", "kimi", "moonshot")
CALLS = ("function_call", "custom_tool_call", "local_shell_call")
OUTPUTS = ("function_call_output", "custom_tool_call_output", "local_shell_call_output")


def responses_to_chat_request(body: dict, *, upstream_model: str, max_output_tokens: int | None,
                              history: list | None = None,
                              provider: str = "openai") -> tuple[dict, ToolKinds]:
    """A Responses request -> (chat request, the kinds of its tools).

    `history` holds the input and output items of a stored earlier response;
    they go before this request's input. `max_output_tokens` is the limit to
    send (None: send none)."""
    if not isinstance(body, dict):
        raise ConversionError("the request body must be a JSON object")
    kinds = ToolKinds()
    tools = chat_tools(body.get("tools"), kinds)
    out: dict = {"model": upstream_model,
                 "messages": _Messages(provider).build(body.get("instructions"),
                                                       history or [], body.get("input"))}
    if tools:
        out["tools"] = tools
        choice = chat_tool_choice(body.get("tool_choice"), kinds)
        if choice is not None:
            out["tool_choice"] = choice
        if isinstance(body.get("parallel_tool_calls"), bool):
            out["parallel_tool_calls"] = body["parallel_tool_calls"]
    if max_output_tokens is not None:
        out["max_tokens"] = max_output_tokens
    for key in ("temperature", "top_p", "user", "prompt_cache_key", "service_tier"):
        if body.get(key) is not None:
            out[key] = body[key]
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict) and reasoning.get("effort"):
        out["reasoning_effort"] = reasoning["effort"]
    text = body.get("text") if isinstance(body.get("text"), dict) else {}
    response_format = _response_format(text.get("format"))
    if response_format:
        out["response_format"] = response_format
    if provider == "openai" and text.get("verbosity"):
        out["verbosity"] = text["verbosity"]
    if body.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out, kinds


def _response_format(fmt) -> dict | None:
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_object":
        return {"type": "json_object"}
    if fmt.get("type") == "json_schema":
        schema = {"name": fmt.get("name") or "response", "schema": fmt.get("schema") or {}}
        for key in ("strict", "description"):
            if fmt.get(key) is not None:
                schema[key] = fmt[key]
        return {"type": "json_schema", "json_schema": schema}
    return None  # "text" is the default


class _Messages:
    """Folds Responses items into chat messages, one pass, in order."""

    def __init__(self, provider: str) -> None:
        self.reasoning_back = any(p in (provider or "").lower() for p in REASONING_BACK)
        self.system: list[str] = []
        self.messages: list[dict] = []
        self.assistant: dict | None = None  # the assistant message being gathered
        self.unanswered: list[str] = []     # call ids of the last assistant turn without output
        self.images: list[dict] = []        # images from tool outputs, for a user message after them
        self.known_ids: set[str] = set()

    def build(self, instructions, history: list, input_) -> list[dict]:
        if isinstance(instructions, str) and instructions:
            self.system.append(instructions)
        elif isinstance(instructions, list):  # instructions as input items
            history = list(instructions) + list(history)
        items = list(history)
        self.known_ids = {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
        if isinstance(input_, str):
            items.append({"type": "message", "role": "user", "content": input_})
        elif isinstance(input_, list):
            items.extend(input_)
        elif input_ is not None:
            raise ConversionError("`input` must be a string or a list of items")
        for item in items:
            self._item(item)
        self._close_turn()
        self._flush_images()
        if self.system:
            self.messages.insert(0, {"role": "system", "content": "\n\n".join(self.system)})
        return self.messages

    # --- items ------------------------------------------------------------

    def _item(self, item) -> None:
        if isinstance(item, str):
            item = {"type": "message", "role": "user", "content": item}
        if not isinstance(item, dict):
            raise ConversionError("every input item must be an object")
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "message":
            self._message(item)
        elif kind in CALLS:
            self._call(kind, item)
        elif kind in OUTPUTS:
            self._output(item)
        elif kind == "reasoning":
            self._reasoning(item)
        elif kind == "item_reference":
            if item.get("id") not in self.known_ids:
                raise ConversionError(f"item_reference {item.get('id')!r} cannot be resolved: "
                                      "this relay does not store it")
        # Hosted tool calls (web_search_call, ...) and unknown items carry
        # nothing a chat model can use: dropped.

    def _message(self, item: dict) -> None:
        role, content = item.get("role"), item.get("content")
        if role in ("system", "developer"):
            text = content_parts_text(content, "\n")
            if text:
                self.system.append(text)
            return
        if role == "assistant":
            text = content_parts_text(content)
            if isinstance(content, list):
                text += "".join(p.get("refusal") or "" for p in content
                                if isinstance(p, dict) and p.get("type") == "refusal")
            if self.assistant is not None and self.assistant.get("tool_calls"):
                self._close_turn()
            self._close_tools()
            turn = self._turn()
            turn["content"] = (turn["content"] or "") + text
            return
        self._close_turn()
        self._flush_images()
        self.messages.append({"role": "user", "content": _user_content(content)})

    def _turn(self) -> dict:
        if self.assistant is None:
            self._flush_images()
            self.assistant = {"role": "assistant", "content": None}
        return self.assistant

    def _call(self, kind: str, item: dict) -> None:
        self._close_tools()
        call_id = item.get("call_id") or item.get("id")
        if not call_id:
            raise ConversionError(f"a {kind} item needs a call_id")
        if kind == "custom_tool_call":
            name, arguments = item.get("name") or "", custom_arguments(item.get("input"))
        elif kind == "local_shell_call":
            name, arguments = LOCAL_SHELL, shell_arguments(item.get("action"))
        else:
            name, arguments = item.get("name") or "", item.get("arguments")
            if not isinstance(arguments, str):
                arguments = dumps(arguments if arguments is not None else {})
        turn = self._turn()
        turn.setdefault("tool_calls", []).append(
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}})

    def _output(self, item: dict) -> None:
        call_id = item.get("call_id") or item.get("id") or ""
        self._close_assistant()
        text, images = _tool_output(item.get("output"))
        if call_id in self.unanswered:
            self.unanswered.remove(call_id)
            self.messages.append({"role": "tool", "tool_call_id": call_id, "content": text})
        else:
            # An output whose call is not the turn just before it: chat
            # upstreams reject a tool message there, so tell the model in words.
            self._close_tools()
            self.messages.append({"role": "user", "content": f"Output of tool call {call_id}:\n{text}"})
        self.images.extend(images)

    def _reasoning(self, item: dict) -> None:
        if not self.reasoning_back:
            return
        text = content_parts_text(item.get("summary"), "\n\n") or content_parts_text(item.get("content"))
        if text:
            if self.assistant is not None and self.assistant.get("tool_calls"):
                self._close_turn()
            turn = self._turn()
            turn["reasoning_content"] = (turn.get("reasoning_content") or "") + text

    # --- closing ------------------------------------------------------------

    def _close_assistant(self) -> None:
        if self.assistant is None:
            return
        turn, self.assistant = self.assistant, None
        if not turn.get("tool_calls") and not turn["content"]:
            if not turn.get("reasoning_content"):
                return
            turn["content"] = ""
        self.messages.append(turn)
        self.unanswered = [c["id"] for c in turn.get("tool_calls", [])]

    def _close_tools(self) -> None:
        """Every tool call needs its tool message before anything else follows."""
        for call_id in self.unanswered:
            self.messages.append({"role": "tool", "tool_call_id": call_id,
                                  "content": "aborted: no output was recorded for this call"})
        self.unanswered = []

    def _close_turn(self) -> None:
        self._close_assistant()
        self._close_tools()

    def _flush_images(self) -> None:
        if self.images:
            self._close_tools()
            self.messages.append({"role": "user", "content": self.images})
            self.images = []


def _user_content(content):
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if not isinstance(part, dict):
            continue
        if part.get("type") in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": part.get("text") or ""})
        elif part.get("type") == "input_image":
            image = _image(part)
            if image:
                parts.append(image)
        elif part.get("type") == "input_file" and part.get("file_data"):
            parts.append({"type": "file", "file": {k: part[k] for k in ("file_data", "filename") if part.get(k)}})
    if all(p["type"] == "text" for p in parts):
        return "\n".join(p["text"] for p in parts)
    return parts


def _image(part: dict) -> dict | None:
    url = part.get("image_url")
    if isinstance(url, dict):
        url = url.get("url")
    if not url:
        return None
    image = {"url": url}
    if part.get("detail") in ("low", "high", "auto"):
        image["detail"] = part["detail"]
    return {"type": "image_url", "image_url": image}


def _tool_output(output) -> tuple[str, list[dict]]:
    """A tool's output -> (text for the tool message, images for a user message)."""
    if isinstance(output, str):
        return output, []
    if isinstance(output, list):
        texts, images = [], []
        for part in output:
            if isinstance(part, dict) and part.get("type") in ("input_text", "output_text", "text"):
                texts.append(part.get("text") or "")
            elif isinstance(part, dict) and part.get("type") == "input_image":
                image = _image(part)
                if image:
                    images.append(image)
        return "\n".join(texts), images
    if output is None:
        return "", []
    return json.dumps(output, ensure_ascii=False), []

"""Gemini `systemInstruction` and `contents` -> OpenAI chat messages.

Roles: `user` (and `function`, the older SDKs' role for function
responses) become user and tool messages, `model` an assistant message.
Thought parts (`thought: true`) are the model's earlier thinking: dropped,
never passed on as text. A `functionCall` keeps its `id`, or gets the
deterministic `call_<turn>_<i>` (turn: its content's index; i: its place
among that turn's calls), the same id the answer gives a call the upstream
left without one. A `functionResponse` is paired with its call by `id`,
else with the oldest unanswered call of the same name."""
from __future__ import annotations

import orjson

IMAGE_PREFIX = "image/"
AUDIO_FORMATS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mp3": "mp3", "audio/mpeg": "mp3"}


class ConversionError(ValueError):
    """The request cannot be said in OpenAI chat (the door answers 400)."""


def call_id(turn: int, index: int) -> str:
    return f"call_{turn}_{index}"


def _text_of(value) -> str:
    """A systemInstruction: a Content, a list of parts, or a string."""
    if isinstance(value, str):
        return value
    parts = value.get("parts") if isinstance(value, dict) else value
    if not isinstance(parts, list):
        return ""
    return "\n".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
                     and not p.get("thought"))


def system_messages(instruction) -> list[dict]:
    text = _text_of(instruction) if instruction is not None else ""
    return [{"role": "system", "content": text}] if text else []


def _media_part(mime: str, data: str | None = None, uri: str | None = None) -> dict:
    mime = (mime or "").lower()
    if data is not None:
        url = f"data:{mime or 'application/octet-stream'};base64,{data}"
        if mime.startswith(IMAGE_PREFIX):
            return {"type": "image_url", "image_url": {"url": url}}
        if mime in AUDIO_FORMATS:
            return {"type": "input_audio", "input_audio": {"data": data, "format": AUDIO_FORMATS[mime]}}
        if mime == "application/pdf":
            return {"type": "file", "file": {"filename": "document.pdf", "file_data": url}}
        raise ConversionError(f"inlineData of type {mime or 'unknown'} cannot be sent to this model")
    if mime.startswith(IMAGE_PREFIX) or not mime:
        return {"type": "image_url", "image_url": {"url": uri}}
    raise ConversionError(f"fileData of type {mime} cannot be sent to this model")


def _user_part(part: dict) -> dict | None:
    if isinstance(part.get("text"), str):
        return None if part.get("thought") else {"type": "text", "text": part["text"]}
    inline = part.get("inlineData") or part.get("inline_data")
    if isinstance(inline, dict) and isinstance(inline.get("data"), str):
        return _media_part(inline.get("mimeType") or inline.get("mime_type") or "", data=inline["data"])
    file = part.get("fileData") or part.get("file_data")
    if isinstance(file, dict) and isinstance(file.get("fileUri") or file.get("file_uri"), str):
        return _media_part(file.get("mimeType") or file.get("mime_type") or "",
                           uri=file.get("fileUri") or file.get("file_uri"))
    return None


def _content(parts: list[dict]):
    """Only text: a string (every upstream takes one); else the parts."""
    if all(p["type"] == "text" for p in parts):
        return "".join(p["text"] for p in parts)
    return parts


class Calls:
    """The calls the model made that have no response yet, oldest first."""

    def __init__(self):
        self.open: list[tuple[str, str]] = []  # (id, name)

    def add(self, ident: str, name: str) -> None:
        self.open.append((ident, name))

    def answer(self, ident, name: str, turn: int, index: int) -> str:
        for i, (open_id, open_name) in enumerate(self.open):
            if (ident and open_id == ident) or (not ident and open_name == name):
                del self.open[i]
                return open_id
        return ident or call_id(turn, index)


def _model_message(parts: list, turn: int, calls: Calls) -> dict | None:
    text, tool_calls = [], []
    for part in parts:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str) and not part.get("thought"):
            text.append(part["text"])
        call = part.get("functionCall") or part.get("function_call")
        if isinstance(call, dict) and isinstance(call.get("name"), str):
            ident = call.get("id") or call_id(turn, len(tool_calls))
            calls.add(ident, call["name"])
            tool_calls.append({"id": ident, "type": "function", "function": {
                "name": call["name"], "arguments": orjson.dumps(call.get("args") or {}).decode()}})
    if not text and not tool_calls:
        return None
    message: dict = {"role": "assistant", "content": "".join(text) or None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return message


def _response_text(response) -> str:
    """A function's response as the tool message's text: Gemini CLI's
    {"output": text} (or {"result": text}) is the text itself."""
    if isinstance(response, str):
        return response
    if isinstance(response, dict) and len(response) == 1:
        (name, value), = response.items()
        if name in ("output", "result") and isinstance(value, str):
            return value
    return orjson.dumps(response if response is not None else {}).decode()


def _user_messages(parts: list, turn: int, calls: Calls) -> list[dict]:
    tools, rest = [], []
    for part in parts:
        if not isinstance(part, dict):
            continue
        response = part.get("functionResponse") or part.get("function_response")
        if isinstance(response, dict):
            ident = calls.answer(response.get("id"), response.get("name") or "", turn, len(tools))
            tools.append({"role": "tool", "tool_call_id": ident,
                          "content": _response_text(response.get("response"))})
            continue
        converted = _user_part(part)
        if converted is not None:
            rest.append(converted)
    # Tool results first: they must follow the assistant's calls at once.
    return tools + ([{"role": "user", "content": _content(rest)}] if rest else [])


def chat_messages(contents: list) -> list[dict]:
    calls = Calls()
    messages: list[dict] = []
    for turn, content in enumerate(contents):
        if not isinstance(content, dict):
            continue
        parts = content.get("parts") if isinstance(content.get("parts"), list) else []
        if content.get("role") == "model":
            message = _model_message(parts, turn, calls)
            if message is not None:
                messages.append(message)
        else:
            messages += _user_messages(parts, turn, calls)
    return messages

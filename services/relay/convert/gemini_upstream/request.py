"""An OpenAI chat request as a Gemini GenerateContentRequest.

The relay's upstream body is `{"model": upstream_model, **request}`: the
Gemini adapter takes `model` out for the URL and sends the rest."""
from __future__ import annotations

import mimetypes

from ..common import content_text
from ..tool_args import parse_tool_arguments

MAX_STOP_SEQUENCES = 5
# Google's documented value for a functionCall whose thought signature was
# never seen (a conversation begun on another model, or a client that lost
# it): Gemini 3 refuses a function call in the history without one.
SKIP_SIGNATURE = "skip_thought_signature_validator"
# reasoning_effort -> thinkingBudget (tokens); "none" switches thinking off.
THINKING_BUDGETS = {"none": 0, "minimal": 512, "low": 1024, "medium": 8192, "high": 24576}


class GeminiRequestError(ValueError):
    """The chat request cannot be said to Gemini (the door answers 400)."""


def _signature(call: dict) -> str | None:
    extra = call.get("extra_content")
    google = extra.get("google") if isinstance(extra, dict) else None
    value = google.get("thought_signature") if isinstance(google, dict) else None
    return value if isinstance(value, str) and value else None


def _image_part(part: dict) -> dict:
    image = part.get("image_url")
    url = image.get("url") if isinstance(image, dict) else image
    if not isinstance(url, str) or not url:
        raise GeminiRequestError("an image_url part has no url")
    if url.startswith("data:"):
        head, _, data = url.partition(",")
        mime = head[5:].split(";")[0] or "application/octet-stream"
        if ";base64" not in head:
            raise GeminiRequestError("image data URLs must be base64-encoded")
        return {"inlineData": {"mimeType": mime, "data": data}}
    mime = mimetypes.guess_type(url.split("?")[0])[0] or "image/jpeg"
    return {"fileData": {"mimeType": mime, "fileUri": url}}


def _user_parts(content) -> list[dict]:
    if isinstance(content, str):
        return [{"text": content}] if content else []
    parts = []
    for part in content or ():
        if isinstance(part, str):
            parts.append({"text": part})
        elif not isinstance(part, dict):
            continue
        elif part.get("type") in ("text", "input_text", "output_text"):
            if part.get("text"):
                parts.append({"text": part["text"]})
        elif part.get("type") == "image_url":
            parts.append(_image_part(part))
        elif part.get("type") == "input_audio":
            audio = part.get("input_audio") or {}
            parts.append({"inlineData": {"mimeType": f"audio/{audio.get('format') or 'wav'}",
                                         "data": audio.get("data") or ""}})
        else:
            raise GeminiRequestError(f"content parts of type {part.get('type')!r} are not supported")
    return parts


def _model_parts(message: dict) -> list[dict]:
    parts = []
    text = content_text(message.get("content"))
    if text:
        parts.append({"text": text})
    calls = [c for c in message.get("tool_calls") or () if isinstance(c, dict)]
    signed = any(_signature(c) for c in calls)
    for i, call in enumerate(calls):
        fn = call.get("function") or {}
        args = parse_tool_arguments(fn.get("arguments"))
        part: dict = {"functionCall": {"name": fn.get("name") or "", "args": args if isinstance(args, dict) else {}}}
        if call.get("id"):
            part["functionCall"]["id"] = call["id"]
        signature = _signature(call)
        if signature:
            part["thoughtSignature"] = signature
        elif i == 0 and not signed:
            part["thoughtSignature"] = SKIP_SIGNATURE
        parts.append(part)
    return parts


def _tool_result(message: dict, names: dict) -> dict:
    call_id = message.get("tool_call_id") or ""
    name = names.get(call_id) or message.get("name") or ""
    if not name:
        raise GeminiRequestError(f"the tool result {call_id!r} answers no tool call in the conversation")
    response: dict = {"name": name, "response": {"output": content_text(message.get("content"))}}
    if call_id:
        response["id"] = call_id
    return {"functionResponse": response}


def _contents(messages: list) -> tuple[list[dict], list[str]]:
    """(contents, system texts). Consecutive turns of one role are merged:
    Gemini wants a user turn and a model turn in alternation, and all the
    answers to one model turn's calls in the user turn after it."""
    system: list[str] = []
    contents: list[dict] = []
    names: dict[str, str] = {}  # tool_call id -> function name

    def add(role: str, parts: list[dict]) -> None:
        if not parts:
            return
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})

    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            text = content_text(message.get("content"))
            if text:
                system.append(text)
        elif role == "assistant":
            for call in message.get("tool_calls") or ():
                if isinstance(call, dict) and call.get("id"):
                    names[call["id"]] = (call.get("function") or {}).get("name") or ""
            add("model", _model_parts(message))
        elif role in ("tool", "function"):
            add("user", [_tool_result(message, names)])
        else:
            add("user", _user_parts(message.get("content")))
    return contents, system


def _tools(tools) -> list[dict]:
    declarations = []
    for tool in tools or ():
        if not isinstance(tool, dict):
            continue
        if tool.get("type", "function") != "function":
            raise GeminiRequestError(f"tools of type {tool.get('type')!r} are not supported")
        fn = tool.get("function") or {}
        declaration = {"name": fn.get("name") or ""}
        if fn.get("description"):
            declaration["description"] = fn["description"]
        if fn.get("parameters"):
            declaration["parametersJsonSchema"] = fn["parameters"]
        declarations.append(declaration)
    return [{"functionDeclarations": declarations}] if declarations else []


def _tool_config(choice) -> dict | None:
    if choice is None:
        return None
    if isinstance(choice, str):
        mode = {"auto": "AUTO", "none": "NONE", "required": "ANY"}.get(choice)
        if mode is None:
            raise GeminiRequestError(f"tool_choice {choice!r} is not supported")
        return {"functionCallingConfig": {"mode": mode}}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name:
            return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise GeminiRequestError("tool_choice must be auto, none, required or a named function")


def _generation_config(body: dict, max_output_tokens: int | None) -> dict:
    config: dict = {}
    if max_output_tokens:
        config["maxOutputTokens"] = max_output_tokens
    for ours, theirs in (("temperature", "temperature"), ("top_p", "topP"), ("seed", "seed"),
                         ("presence_penalty", "presencePenalty"), ("frequency_penalty", "frequencyPenalty")):
        if body.get(ours) is not None:
            config[theirs] = body[ours]
    if (body.get("n") or 1) > 1:
        config["candidateCount"] = body["n"]
    stop = body.get("stop")
    if stop:
        stops = [stop] if isinstance(stop, str) else [s for s in stop if isinstance(s, str)]
        if len(stops) > MAX_STOP_SEQUENCES:
            raise GeminiRequestError(f"at most {MAX_STOP_SEQUENCES} stop sequences")
        config["stopSequences"] = stops
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
        schema = (fmt.get("json_schema") or {}).get("schema") if fmt["type"] == "json_schema" else None
        if schema:
            config["responseJsonSchema"] = schema
    effort = body.get("reasoning_effort")
    if isinstance(effort, str):
        if effort not in THINKING_BUDGETS:
            raise GeminiRequestError(f"reasoning_effort {effort!r} is not one of {', '.join(THINKING_BUDGETS)}")
        budget = THINKING_BUDGETS[effort]
        config["thinkingConfig"] = {"thinkingBudget": budget, "includeThoughts": budget > 0}
    return config


def chat_to_gemini_request(body: dict, *, upstream_model: str, max_output_tokens: int | None) -> dict:
    """`{"model": upstream_model, contents, systemInstruction?, tools?,
    toolConfig?, generationConfig}`; GeminiRequestError for what Gemini
    cannot be asked."""
    contents, system = _contents([m for m in body.get("messages") or () if isinstance(m, dict)])
    if not contents:
        raise GeminiRequestError("the conversation has no user or assistant message")
    request: dict = {"model": upstream_model, "contents": contents}
    if system:
        request["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}
    tools = _tools(body.get("tools"))
    if tools:
        request["tools"] = tools
        config = _tool_config(body.get("tool_choice"))
        if config:
            request["toolConfig"] = config
    generation = _generation_config(body, max_output_tokens)
    if generation:
        request["generationConfig"] = generation
    return request

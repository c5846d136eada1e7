"""Chat request -> Responses request, for a chat client on a channel that
speaks only Responses (docs/protocols.md §6)."""
from __future__ import annotations

from services.relay.convert.common import content_text

from .common import ConversionError, dumps

PASSED = ("temperature", "top_p", "parallel_tool_calls", "user", "prompt_cache_key",
          "service_tier", "metadata", "safety_identifier")


def chat_to_responses_request(body: dict, *, upstream_model: str, max_output_tokens: int | None) -> dict:
    """A chat completions request -> a Responses request (store: false)."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise ConversionError("`messages` must be a list")
    instructions, items = _items(body["messages"])
    out: dict = {"model": upstream_model, "input": items, "store": False}
    if instructions:
        out["instructions"] = instructions
    tools = [_tool(t) for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type", "function") == "function"]
    tools = [t for t in tools if t]
    if tools:
        out["tools"] = tools
        choice = body.get("tool_choice")
        if isinstance(choice, str) and choice in ("auto", "none", "required"):
            out["tool_choice"] = choice
        elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
            out["tool_choice"] = {"type": "function", "name": choice["function"].get("name") or ""}
    if max_output_tokens is not None:
        out["max_output_tokens"] = max_output_tokens
    for key in PASSED:
        if body.get(key) is not None:
            out[key] = body[key]
    if "parallel_tool_calls" in out and not tools:
        del out["parallel_tool_calls"]
    if body.get("reasoning_effort"):
        out["reasoning"] = {"effort": body["reasoning_effort"]}
    text = {}
    fmt = _format(body.get("response_format"))
    if fmt:
        text["format"] = fmt
    if body.get("verbosity"):
        text["verbosity"] = body["verbosity"]
    if text:
        out["text"] = text
    if body.get("stream"):
        out["stream"] = True
    return out


def _items(messages: list) -> tuple[str, list[dict]]:
    system: list[str] = []
    items: list[dict] = []
    for message in messages:
        if not isinstance(message, dict):
            raise ConversionError("every message must be an object")
        role, content = message.get("role"), message.get("content")
        if role in ("system", "developer"):
            text = content_text(content)
            if not items:
                system.append(text)  # leading ones become the instructions
            else:
                items.append({"type": "message", "role": role, "content": text})
        elif role == "user":
            items.append({"type": "message", "role": "user", "content": _user_parts(content)})
        elif role == "assistant":
            text = content_text(content)
            if text:
                items.append({"type": "message", "role": "assistant",
                              "content": [{"type": "output_text", "text": text, "annotations": []}]})
            for call in message.get("tool_calls") or []:
                function = call.get("function") if isinstance(call, dict) else None
                if not isinstance(function, dict):
                    continue
                arguments = function.get("arguments")
                items.append({"type": "function_call", "call_id": call.get("id") or "",
                              "name": function.get("name") or "",
                              "arguments": arguments if isinstance(arguments, str) else dumps(arguments or {})})
        elif role in ("tool", "function"):
            call_id = message.get("tool_call_id") or message.get("name") or ""
            output = content if isinstance(content, str) else content_text(content)
            items.append({"type": "function_call_output", "call_id": call_id, "output": output})
        else:
            raise ConversionError(f"unknown message role {role!r}")
    return "\n\n".join(t for t in system if t), items


def _user_parts(content):
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text":
            parts.append({"type": "input_text", "text": part.get("text") or ""})
        elif part.get("type") == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, dict) else image
            if url:
                converted = {"type": "input_image", "image_url": url, "detail": "auto"}
                if isinstance(image, dict) and image.get("detail") in ("low", "high", "auto"):
                    converted["detail"] = image["detail"]
                parts.append(converted)
        elif part.get("type") == "file" and isinstance(part.get("file"), dict):
            file = part["file"]
            parts.append({"type": "input_file", **{k: file[k] for k in ("file_data", "file_id", "filename")
                                                   if file.get(k)}})
    return parts


def _tool(tool: dict) -> dict | None:
    function = tool.get("function")
    if not isinstance(function, dict) or not function.get("name"):
        return None
    out = {"type": "function", "name": function["name"],
           "parameters": function.get("parameters") or {"type": "object", "properties": {}},
           # Responses defaults `strict` to true, chat to false: say it.
           "strict": bool(function.get("strict"))}
    if function.get("description"):
        out["description"] = function["description"]
    return out


def _format(fmt) -> dict | None:
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema" and isinstance(fmt.get("json_schema"), dict):
        schema = fmt["json_schema"]
        out = {"type": "json_schema", "name": schema.get("name") or "response",
               "schema": schema.get("schema") or {}}
        for key in ("strict", "description"):
            if schema.get(key) is not None:
                out[key] = schema[key]
        return out
    if fmt.get("type") in ("json_object", "text"):
        return {"type": fmt["type"]}
    return None

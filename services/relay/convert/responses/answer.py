"""Chat completion -> Response object (docs/protocols.md §6), and the
envelope the stream writer shares."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.convert.common import reasoning_text
from services.relay.dialects import openai_chat, openai_responses

from .common import content_parts_text, dumps, new_id
from .tools import ToolKinds, call_item

# Request fields a Response echoes (the SDKs read them back).
ECHO_DEFAULTS = {
    "instructions": None, "max_output_tokens": None, "metadata": {}, "parallel_tool_calls": True,
    "previous_response_id": None, "reasoning": {"effort": None, "summary": None}, "store": False,
    "temperature": None, "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
    "top_p": None, "truncation": "disabled", "user": None, "prompt_cache_key": None,
    "service_tier": None,
}
INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def envelope(*, response_id: str, model: str, created_at: int, request: dict | None,
             status: str, output: list, usage: Usage | None = None, with_usage: bool = False,
             incomplete_reason: str | None = None, error: dict | None = None) -> dict:
    """A Response object with the echoed request fields."""
    request = request if isinstance(request, dict) else {}
    response = {"id": response_id, "object": "response", "created_at": int(created_at),
                "status": status, "error": error,
                "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
                "model": model, "output": output}
    for key, default in ECHO_DEFAULTS.items():
        value = request.get(key)
        response[key] = default if value is None else value
    if not isinstance(response["instructions"], (str, list)) and response["instructions"] is not None:
        response["instructions"] = None
    response["usage"] = openai_responses.usage_dict(usage) if (usage is not None or with_usage) else None
    return response


def status_for(finish_reason: str | None) -> tuple[str, str | None]:
    """chat finish_reason -> (Response status, incomplete_details.reason)."""
    reason = INCOMPLETE.get(finish_reason or "")
    return ("incomplete", reason) if reason else ("completed", None)


def reasoning_item(text: str, *, item_id: str | None = None) -> dict:
    return {"id": item_id or new_id("rs"), "type": "reasoning",
            "summary": [{"type": "summary_text", "text": text}]}


def message_item(text: str, *, status: str = "completed", item_id: str | None = None,
                 refusal: str = "") -> dict:
    content = []
    if text or not refusal:
        content.append({"type": "output_text", "text": text, "annotations": [], "logprobs": []})
    if refusal:
        content.append({"type": "refusal", "refusal": refusal})
    return {"id": item_id or new_id("msg"), "type": "message", "role": "assistant",
            "status": status, "content": content}


def chat_to_responses_answer(completion: dict, kinds: ToolKinds, *, response_id: str, model: str,
                             created_at: int, usage: Usage | None, request: dict) -> dict:
    """A (non-stream) chat completion -> a Response object. `usage` is what
    the meter settled on; None reads the completion's own."""
    choices = [c for c in (completion or {}).get("choices") or [] if isinstance(c, dict)]
    choice = next((c for c in choices if c.get("index", 0) == 0), choices[0] if choices else {})
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    status, reason = status_for(choice.get("finish_reason"))
    output: list[dict] = []
    thinking = reasoning_text(message)
    if thinking:
        output.append(reasoning_item(thinking))
    text = message.get("content")
    text = text if isinstance(text, str) else content_parts_text(text)
    refusal = message.get("refusal") if isinstance(message.get("refusal"), str) else ""
    if text or refusal:
        output.append(message_item(text, refusal=refusal,
                                   status="incomplete" if status == "incomplete" else "completed"))
    calls = message.get("tool_calls") or []
    if not calls and isinstance(message.get("function_call"), dict):
        calls = [{"function": message["function_call"]}]  # legacy function calling
    for call in calls:
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = dumps(arguments if arguments is not None else {})
        output.append(call_item(kinds, call_id=call.get("id") or new_id("call"),
                                name=function.get("name") or "", arguments=arguments))
    if usage is None:
        usage = openai_chat.read_usage(completion.get("usage")) if isinstance(completion, dict) else None
    return envelope(response_id=response_id, model=model, created_at=created_at, request=request,
                    status=status, output=output, usage=usage, with_usage=True,
                    incomplete_reason=reason)

"""An OpenAI chat completion -> a Gemini GenerateContentResponse.

Parts in the order Gemini gives them: the thinking (`{text, thought:
true}`, only when the request set thinkingConfig.includeThoughts), the
text, then one `functionCall` part per tool call with its `id` (Gemini CLI
echoes it in the functionResponse), or `call_<turn>_<i>` when the upstream
gave none. Finish reasons: stop and tool_calls -> STOP, length ->
MAX_TOKENS, content_filter -> SAFETY."""
from __future__ import annotations

from services.relay.dialects import gemini, openai_chat

from ..common import content_text, reasoning_text
from ..tool_args import parse_tool_arguments
from .contents import call_id

_FINISH = {"stop": "STOP", "tool_calls": "STOP", "function_call": "STOP", "length": "MAX_TOKENS",
           "content_filter": "SAFETY"}


def finish_reason_for(reason: str | None) -> str:
    return _FINISH.get(reason or "stop", "OTHER")


def function_call_part(ident: str | None, name: str, arguments, turn: int, index: int) -> dict:
    return {"functionCall": {"id": ident or call_id(turn, index), "name": name,
                             "args": parse_tool_arguments(arguments)}}


def candidate(parts: list[dict], finish: str | None = None) -> dict:
    out = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        out["finishReason"] = finish
    return out


def chat_to_gemini_answer(completion: dict, state, *, model: str) -> dict:
    choices = completion.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], dict) else {}
    message = choice.get("message") or {}
    parts: list[dict] = []
    thought = reasoning_text(message)
    if thought and state.include_thoughts:
        parts.append({"text": thought, "thought": True})
    text = content_text(message.get("content"))
    if text:
        parts.append({"text": text})
    for index, call in enumerate(message.get("tool_calls") or ()):
        function = (call or {}).get("function") or {}
        parts.append(function_call_part(call.get("id"), function.get("name") or "", function.get("arguments"),
                                        state.turn, index))
    if not parts:
        parts.append({"text": ""})
    return {"candidates": [candidate(parts, finish_reason_for(choice.get("finish_reason")))],
            "usageMetadata": gemini.usage_dict(openai_chat.read_usage(completion.get("usage"))),
            "modelVersion": model, "responseId": completion.get("id") or ""}

"""finish_reason <-> stop_reason tables (docs/protocols.md §2)."""
from __future__ import annotations

_TO_STOP_REASON = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    # A filtered answer is a refusal, not a stop sequence or a normal end.
    "content_filter": "refusal",
}

_TO_FINISH_REASON = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def stop_reason_for(finish_reason: str | None, *, has_tool_calls: bool | None = None) -> str:
    """OpenAI finish_reason -> Anthropic stop_reason. When the caller knows
    whether tool calls came back, that wins: some providers say "stop" after
    calling tools, and "tool_use" without a tool_use block stalls clients."""
    reason = _TO_STOP_REASON.get(finish_reason or "", "end_turn")
    if has_tool_calls and reason == "end_turn":
        return "tool_use"
    if has_tool_calls is False and reason == "tool_use":
        return "end_turn"
    return reason


def finish_reason_for(stop_reason: str | None, *, has_tool_calls: bool = False) -> str:
    """Anthropic stop_reason -> OpenAI finish_reason."""
    if has_tool_calls and stop_reason in (None, "end_turn", "tool_use"):
        return "tool_calls"
    return _TO_FINISH_REASON.get(stop_reason or "", "stop")

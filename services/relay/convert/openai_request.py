"""OpenAI chat request -> Anthropic Messages request (docs/protocols.md §4).

Used when an OpenAI client is routed to an Anthropic-native upstream.
"""
from __future__ import annotations

import hashlib

from .openai_messages import convert_chat_messages

__all__ = ["openai_to_anthropic_request", "EFFORT_BUDGETS", "DEFAULT_MAX_TOKENS"]

DEFAULT_MAX_TOKENS = 4096
MIN_THINKING_BUDGET = 1024  # Anthropic's floor for budget_tokens
EFFORT_BUDGETS = {"low": 1024, "medium": 4096, "high": 16384, "xhigh": 16384}
_MAX_USER_ID = 256


def openai_to_anthropic_request(body: dict, *, upstream_model: str, max_output_tokens: int | None) -> dict:
    """OpenAI chat request -> Anthropic Messages request."""
    system, messages = convert_chat_messages(body.get("messages"))
    max_tokens = _max_tokens(body, max_output_tokens)
    out: dict = {"model": upstream_model, "max_tokens": max_tokens, "messages": messages}
    if system:
        out["system"] = system
    if body.get("stream"):
        out["stream"] = True
    tools = _tools(body)
    if tools:
        out["tools"] = tools
        out.update(_tool_choice(body))
    thinking = _thinking(body, max_tokens, out.get("tool_choice"))
    if thinking:
        out["thinking"] = thinking
    out.update(_sampling(body, thinking_on=bool(thinking)))
    out.update(_stop(body))
    out.update(_metadata(body))
    out.update(_output_config(body))
    return out


def _max_tokens(body: dict, limit: int | None) -> int:
    """Anthropic requires max_tokens: the client's, else the channel limit,
    else 4096; never above the limit."""
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int) and value > 0:
            return min(value, limit) if limit else value
    return limit or DEFAULT_MAX_TOKENS


def _sampling(body: dict, *, thinking_on: bool) -> dict:
    out = {}
    temperature = body.get("temperature")
    if isinstance(temperature, (int, float)):
        # OpenAI allows 0..2, Anthropic 0..1; with thinking only 1 is accepted.
        out["temperature"] = 1 if thinking_on else min(max(float(temperature), 0.0), 1.0)
    if isinstance(body.get("top_p"), (int, float)) and not thinking_on:
        out["top_p"] = body["top_p"]
    return out


def _stop(body: dict) -> dict:
    stop = body.get("stop")
    stops = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    stops = [s for s in stops if isinstance(s, str) and s.strip()]
    return {"stop_sequences": stops} if stops else {}


def _metadata(body: dict) -> dict:
    user = body.get("user")
    if not isinstance(user, str) or not user:
        return {}
    if len(user) > _MAX_USER_ID:
        user = hashlib.sha256(user.encode("utf-8")).hexdigest()
    return {"metadata": {"user_id": user}}


def _tools(body: dict) -> list[dict]:
    functions = [t.get("function") for t in body.get("tools") or []
                 if isinstance(t, dict) and t.get("type", "function") == "function"]
    functions += [f for f in body.get("functions") or []]  # legacy field
    tools = []
    for function in functions:
        if not isinstance(function, dict) or not function.get("name"):
            continue
        tool = {"name": function["name"]}
        if function.get("description"):
            tool["description"] = function["description"]
        schema = function.get("parameters")
        tool["input_schema"] = schema if isinstance(schema, dict) and schema else {"type": "object", "properties": {}}
        tools.append(tool)
    return tools


def _tool_choice(body: dict) -> dict:
    choice = body.get("tool_choice", body.get("function_call"))
    if choice in ("auto", None):
        converted = {"type": "auto"} if choice else None
    elif choice == "required":
        converted = {"type": "any"}
    elif choice == "none":
        return {"tool_choice": {"type": "none"}}
    elif isinstance(choice, dict) and (choice.get("function") or {}).get("name"):
        converted = {"type": "tool", "name": choice["function"]["name"]}
    elif isinstance(choice, dict) and choice.get("name"):
        converted = {"type": "tool", "name": choice["name"]}  # legacy function_call
    else:
        converted = {"type": "auto"}
    if body.get("parallel_tool_calls") is False:
        converted = dict(converted or {"type": "auto"}, disable_parallel_tool_use=True)
    return {"tool_choice": converted} if converted else {}


def _thinking(body: dict, max_tokens: int, tool_choice: dict | None) -> dict | None:
    """reasoning_effort -> an extended-thinking budget below max_tokens.
    Anthropic refuses thinking together with a forced tool choice."""
    effort = body.get("reasoning_effort") or (body.get("reasoning") or {}).get("effort")
    if effort not in EFFORT_BUDGETS:
        return None  # none / minimal / unknown: no thinking
    if tool_choice and tool_choice.get("type") in ("any", "tool"):
        return None
    budget = min(EFFORT_BUDGETS[effort], max_tokens - 1)
    if budget < MIN_THINKING_BUDGET:
        return None
    return {"type": "enabled", "budget_tokens": budget}


def _output_config(body: dict) -> dict:
    fmt = body.get("response_format") or {}
    if fmt.get("type") != "json_schema":
        return {}  # json_object has no Anthropic equivalent
    schema = (fmt.get("json_schema") or {}).get("schema")
    if not isinstance(schema, dict):
        return {}
    return {"output_config": {"format": {"type": "json_schema", "schema": schema}}}

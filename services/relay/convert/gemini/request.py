"""A Gemini generateContent request -> an OpenAI chat request.

The body is the Gemini door's envelope (services.relay.doors.gemini): the
client's Gemini body with the path's model and the action's stream flag
under `model` and `stream`. `generationConfig` maps field by field:
temperature, topP, the output limit (the call's, already clamped),
stopSequences (at most 4, what OpenAI takes), responseMimeType with
responseJsonSchema or responseSchema -> response_format, and
thinkingConfig -> reasoning_effort (budget 0 none, up to 1024 low, up to
8192 medium, else high; thinkingLevel by name)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .contents import chat_messages, system_messages
from .tools import chat_tools, openapi_schema

MAX_STOP_SEQUENCES = 4
# OpenAI reasoning models take max_completion_tokens and no sampling params;
# older ones reject reasoning_effort.
_OPENAI_REASONING = re.compile(r"^(o\d|gpt-5)")
_OPENAI_NO_REASONING = re.compile(r"^(gpt-4|gpt-3\.5|chatgpt-)")
_LEVELS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high"}


@dataclass(frozen=True)
class GeminiState:
    """What the answer needs from the request: the turn a new model turn
    takes (for call ids) and whether thoughts were asked for."""

    turn: int
    include_thoughts: bool


def _config(body: dict) -> dict:
    config = body.get("generationConfig") or body.get("generation_config")
    return config if isinstance(config, dict) else {}


def _get(config: dict, camel: str, snake: str):
    return config.get(camel, config.get(snake))


def thinking(config: dict) -> dict:
    value = _get(config, "thinkingConfig", "thinking_config")
    return value if isinstance(value, dict) else {}


def reasoning_effort(config: dict) -> str | None:
    think = thinking(config)
    budget = _get(think, "thinkingBudget", "thinking_budget")
    if isinstance(budget, int) and not isinstance(budget, bool):
        if budget == 0:
            return "none"
        if budget < 0:
            return None  # dynamic: the upstream's default
        return "low" if budget <= 1024 else "medium" if budget <= 8192 else "high"
    level = _get(think, "thinkingLevel", "thinking_level")
    return _LEVELS.get(str(level).lower()) if level else None


def _response_format(config: dict) -> dict:
    mime = _get(config, "responseMimeType", "response_mime_type")
    schema = _get(config, "responseJsonSchema", "response_json_schema")
    if schema is None and _get(config, "responseSchema", "response_schema") is not None:
        schema = openapi_schema(_get(config, "responseSchema", "response_schema"))
    if isinstance(schema, dict):
        return {"response_format": {"type": "json_schema",
                                    "json_schema": {"name": "response", "schema": schema}}}
    if mime == "application/json":
        return {"response_format": {"type": "json_object"}}
    return {}


def _sampling(config: dict, reasoning_model: bool) -> dict:
    if reasoning_model:
        return {}
    out = {}
    for camel, snake, name in (("temperature", "temperature", "temperature"), ("topP", "top_p", "top_p"),
                               ("presencePenalty", "presence_penalty", "presence_penalty"),
                               ("frequencyPenalty", "frequency_penalty", "frequency_penalty"),
                               ("seed", "seed", "seed")):
        value = _get(config, camel, snake)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value
    return out


def _stop(config: dict) -> dict:
    stops = _get(config, "stopSequences", "stop_sequences")
    if not isinstance(stops, list):
        return {}
    stops = [s for s in stops if isinstance(s, str) and s][:MAX_STOP_SEQUENCES]
    return {"stop": stops} if stops else {}


def gemini_to_chat_request(body: dict, *, upstream_model: str, max_output_tokens: int | None,
                           provider: str = "openai") -> tuple[dict, GeminiState]:
    contents = body.get("contents") if isinstance(body.get("contents"), list) else []
    config = _config(body)
    instruction = body.get("systemInstruction", body.get("system_instruction"))
    out: dict = {"model": upstream_model,
                 "messages": system_messages(instruction) + chat_messages(contents)}
    reasoning_model = provider == "openai" and bool(_OPENAI_REASONING.match(upstream_model))
    limit = max_output_tokens
    requested = _get(config, "maxOutputTokens", "max_output_tokens")
    if isinstance(requested, int) and requested > 0:
        limit = min(requested, limit) if limit else requested
    if limit:
        out["max_completion_tokens" if reasoning_model else "max_tokens"] = limit
    out.update(_sampling(config, reasoning_model))
    out.update(_stop(config))
    if body.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    out.update(chat_tools(body))
    effort = reasoning_effort(config)
    if effort and not (provider == "openai" and _OPENAI_NO_REASONING.match(upstream_model)):
        out["reasoning_effort"] = effort
    out.update(_response_format(config))
    include = bool(_get(thinking(config), "includeThoughts", "include_thoughts"))
    return out, GeminiState(turn=len(contents), include_thoughts=include)

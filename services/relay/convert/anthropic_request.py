"""Anthropic Messages request -> OpenAI chat request (docs/protocols.md §1).

Used when an Anthropic client (the SDK, Claude Code) is routed to an
OpenAI-compatible upstream. Anthropic-only fields (cache_control,
context_management, top_k, thinking, output_config, metadata) never reach
the upstream in their Anthropic shape.
"""
from __future__ import annotations

import hashlib
import re

from .anthropic_messages import convert_messages, convert_system
from .anthropic_tools import clean_schema, convert_tool_choice, convert_tools
from .tool_names import ToolNames

__all__ = ["ToolNames", "anthropic_to_openai_request", "normalize_provider", "reasoning_for"]

MAX_STOP_SEQUENCES = 4
_PROVIDER_ALIASES = {"dashscope": "qwen", "aliyun": "qwen"}
# OpenAI reasoning models take max_completion_tokens and no sampling params.
_OPENAI_REASONING = re.compile(r"^(o\d|gpt-5)")
# OpenAI models that reject reasoning_effort with a 400.
_OPENAI_NO_REASONING = re.compile(r"^(gpt-4|gpt-3\.5|chatgpt-)")
# Upstreams known to take web_search_options; others would reject the field.
_WEB_SEARCH_PROVIDERS = frozenset({"openai", "openrouter"})
_EFFORTS = {"low": "low", "medium": "medium", "high": "high", "max": "high", "xhigh": "high", "minimal": "low"}


def normalize_provider(provider: str | None) -> str:
    name = (provider or "openai").strip().lower()
    return _PROVIDER_ALIASES.get(name, name)


def anthropic_to_openai_request(body: dict, *, upstream_model: str, max_output_tokens: int | None,
                                provider: str = "openai") -> tuple[dict, ToolNames]:
    """Anthropic Messages request -> OpenAI chat request for an OpenAI-compatible upstream.

    provider is a hint for per-provider quirks: "openai" (generic), "deepseek",
    "qwen"/"dashscope", "openrouter" (and "gemini" for schema cleaning).
    Returns the request and the tool-name map (names > 64 chars are shortened)."""
    provider = normalize_provider(provider)
    names = ToolNames()
    # OpenRouter passes cache_control through to Anthropic models only.
    keep_cache = provider == "openrouter" and upstream_model.startswith("anthropic/")
    messages = convert_system(body.get("system"), keep_cache=keep_cache)
    messages += convert_messages(body.get("messages"), names=names, provider=provider, keep_cache=keep_cache)
    out: dict = {"model": upstream_model, "messages": messages}
    max_tokens = _max_tokens(body, max_output_tokens)
    out.update(_max_tokens_field(max_tokens, provider, upstream_model))
    out.update(_sampling(body, provider, upstream_model))
    out.update(_stream(body))
    out.update(_stop(body))
    out.update(_user(body))
    out.update(_tools(body, names, provider))
    out.update(reasoning_for(body, provider=provider, model=upstream_model, max_tokens=max_tokens))
    out.update(_response_format(body, provider))
    return out, names


def _max_tokens(body: dict, limit: int | None) -> int | None:
    """Requested max_tokens clamped to the upstream limit (Claude Code asks
    for 64000; deepseek-chat rejects anything above 8192)."""
    requested = body.get("max_tokens")
    value = requested if isinstance(requested, int) and requested > 0 else None
    if limit:
        value = min(value, limit) if value else limit
    return value


def _max_tokens_field(value: int | None, provider: str, model: str) -> dict:
    if value is None:
        return {}
    if provider == "openai" and _OPENAI_REASONING.match(model):
        return {"max_completion_tokens": value}
    return {"max_tokens": value}


def _sampling(body: dict, provider: str, model: str) -> dict:
    if provider == "openai" and _OPENAI_REASONING.match(model):
        return {}  # o-series / gpt-5 reject temperature and top_p
    out = {k: body[k] for k in ("temperature", "top_p") if body.get(k) is not None}
    if provider == "qwen" and body.get("top_k") is not None:
        out["top_k"] = body["top_k"]  # DashScope accepts top_k as an extra field
    return out


def _stream(body: dict) -> dict:
    if not body.get("stream"):
        return {}
    # Without include_usage most providers send no usage at all in streams.
    return {"stream": True, "stream_options": {"include_usage": True}}


def _stop(body: dict) -> dict:
    stops = body.get("stop_sequences")
    if not isinstance(stops, list):
        return {}
    stops = [s for s in stops if isinstance(s, str) and s][:MAX_STOP_SEQUENCES]
    return {"stop": stops} if stops else {}


def _user(body: dict) -> dict:
    """Claude Code's user_id is a long JSON string: send a stable short hash."""
    user_id = (body.get("metadata") or {}).get("user_id")
    if not isinstance(user_id, str) or not user_id:
        return {}
    return {"user": hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:32]}


def _tools(body: dict, names: ToolNames, provider: str) -> dict:
    functions, web_search = convert_tools(body.get("tools"), names=names, provider=provider)
    out: dict = {}
    if web_search is not None and provider in _WEB_SEARCH_PROVIDERS:
        out["web_search_options"] = web_search
    if functions:
        # tool_choice without tools is a 400 upstream, so only with tools.
        out["tools"] = functions
        out.update(convert_tool_choice(body.get("tool_choice"), names=names))
    return out


def _effort(body: dict) -> tuple[str | None, int | None]:
    """(reasoning_effort, budget) from `thinking` + `output_config.effort`."""
    thinking = body.get("thinking") or {}
    kind = thinking.get("type")
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        budget = budget if isinstance(budget, int) and budget > 0 else 4096
        return _bucket(budget), budget
    if kind == "adaptive":
        effort = (body.get("output_config") or {}).get("effort")
        # Anthropic's default effort is high.
        return _EFFORTS.get(str(effort).lower(), "high") if effort else "high", None
    return None, None


def _bucket(budget: int) -> str:
    """Budget -> effort; the inverse of the 1024/4096/16384 budgets used the
    other way, so a round trip keeps the effort."""
    if budget < 4096:
        return "low"
    if budget < 16384:
        return "medium"
    return "high"


def reasoning_for(body: dict, *, provider: str, model: str, max_tokens: int | None) -> dict:
    """Thinking settings in the provider's own dialect."""
    effort, budget = _effort(body)
    disabled = (body.get("thinking") or {}).get("type") == "disabled"
    if provider == "qwen":
        if disabled:
            return {"enable_thinking": False}
        if not effort:
            return {}
        return {"enable_thinking": True, **({"thinking_budget": budget} if budget else {})}
    if not effort:
        return {}
    if provider == "openrouter":
        if budget:
            if max_tokens and budget >= max_tokens:
                budget = max(max_tokens - 1, 1)  # the budget must leave room for the answer
            return {"reasoning": {"enabled": True, "max_tokens": budget}}
        return {"reasoning": {"enabled": True, "effort": effort}}
    if provider == "openai" and _OPENAI_NO_REASONING.match(model):
        return {}
    return {"reasoning_effort": effort}


def _response_format(body: dict, provider: str) -> dict:
    """output_config.format json_schema -> response_format. DeepSeek and Qwen
    only take json_object; a format without a schema falls back to it too."""
    fmt = (body.get("output_config") or {}).get("format") or body.get("output_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return {}
    schema = fmt.get("schema")
    if provider in ("deepseek", "qwen") or not isinstance(schema, dict):
        return {"response_format": {"type": "json_object"}}
    json_schema = {"name": fmt.get("name") or "response", "schema": clean_schema(schema, provider), "strict": True}
    return {"response_format": {"type": "json_schema", "json_schema": json_schema}}

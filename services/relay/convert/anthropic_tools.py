"""Anthropic tools / tool_choice -> OpenAI function tools (docs/protocols.md §1)."""
from __future__ import annotations

from .tool_names import ToolNames

# Keys whose values are data, not sub-schemas: never clean inside them.
_DATA_KEYS = frozenset({"enum", "const", "default", "examples"})
# Keys whose values map names to sub-schemas (the names must survive).
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
# Gemini's OpenAI endpoint rejects these (1rgs clean_gemini_schema).
_GEMINI_DROP = frozenset({"additionalProperties", "default", "$schema"})
_GEMINI_FORMATS = frozenset({"enum", "date-time"})
_EMPTY_SCHEMA = {"type": "object", "properties": {}}


def convert_tools(tools, *, names: ToolNames, provider: str) -> tuple[list[dict], dict | None]:
    """Function tools, plus `web_search_options` when a hosted web search
    tool was present. Other hosted tools (bash, editor, computer...) have no
    OpenAI equivalent and are dropped."""
    functions, web_search = [], None
    for tool in tools or []:
        if not isinstance(tool, dict):
            continue
        kind = tool.get("type")
        if kind and kind != "custom":
            if kind.startswith("web_search"):
                web_search = _web_search_options(tool)
            continue
        functions.append(_function(tool, names, provider))
    return functions, web_search


def _function(tool: dict, names: ToolNames, provider: str) -> dict:
    function = {"name": names.shorten(tool.get("name") or "")}
    if tool.get("description"):
        function["description"] = tool["description"]
    function["parameters"] = clean_schema(tool.get("input_schema"), provider)
    return {"type": "function", "function": function}


def _web_search_options(tool: dict) -> dict:
    location = tool.get("user_location") or {}
    fields = {k: location[k] for k in ("city", "region", "country", "timezone") if location.get(k)}
    return {"user_location": {"type": "approximate", "approximate": fields}} if fields else {}


def clean_schema(schema, provider: str = "openai") -> dict:
    """A copy of a JSON schema fit for the upstream: `$schema` always goes
    (it is metadata and some upstreams reject it); Gemini also loses
    `additionalProperties`, `default` and unsupported `format` values."""
    if not isinstance(schema, dict) or not schema:
        return dict(_EMPTY_SCHEMA, properties={})
    cleaned = _clean(schema, gemini=provider == "gemini")
    cleaned.setdefault("type", "object")
    if cleaned["type"] == "object":
        cleaned.setdefault("properties", {})
    return cleaned


def _clean(node, *, gemini: bool):
    if isinstance(node, list):
        return [_clean(item, gemini=gemini) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$schema" or (gemini and _gemini_drops(key, value)):
            continue
        if key in _DATA_KEYS:
            out[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _clean(sub, gemini=gemini) for name, sub in value.items()}
        else:
            out[key] = _clean(value, gemini=gemini)
    return out


def _gemini_drops(key: str, value) -> bool:
    if key in _GEMINI_DROP:
        return True
    return key == "format" and value not in _GEMINI_FORMATS


def convert_tool_choice(choice, *, names: ToolNames) -> dict:
    """-> fields to merge into the request: tool_choice and/or parallel_tool_calls.
    `any` means "must call a tool", which is OpenAI's "required" (not "auto")."""
    if not isinstance(choice, dict):
        return {}
    kind = choice.get("type")
    out: dict = {}
    if kind == "auto":
        out["tool_choice"] = "auto"
    elif kind == "any":
        out["tool_choice"] = "required"
    elif kind == "none":
        out["tool_choice"] = "none"
    elif kind == "tool" and choice.get("name"):
        out["tool_choice"] = {"type": "function", "function": {"name": names.shorten(choice["name"])}}
    if choice.get("disable_parallel_tool_use") and kind != "none":
        out["parallel_tool_calls"] = False
    return out

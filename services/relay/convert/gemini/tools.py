"""Gemini `tools` and `toolConfig` -> OpenAI chat `tools` and `tool_choice`.

`parametersJsonSchema` (what Gemini CLI sends) is JSON Schema already and
goes as it is; `parameters` is Google's OpenAPI subset, whose type names
are upper-case (`OBJECT`, `STRING`) and whose `nullable` OpenAI does not
know: the types are lower-cased, `nullable: true` becomes a `"null"`
type. Tools other than function declarations (googleSearch, codeExecution)
mean nothing to a chat upstream and are left out."""
from __future__ import annotations

_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "definitions")


def openapi_schema(schema):
    """Google's OpenAPI-subset schema -> JSON Schema, recursively."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            out[key] = value.lower()
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: openapi_schema(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [openapi_schema(sub) for sub in value]
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = openapi_schema(value)
        elif key == "nullable":
            continue
        elif key == "propertyOrdering":
            continue  # Google's own ordering hint
        else:
            out[key] = value
    if schema.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _declarations(tools) -> list[dict]:
    found = []
    for tool in tools if isinstance(tools, list) else ():
        if isinstance(tool, dict):
            declared = tool.get("functionDeclarations") or tool.get("function_declarations") or ()
            found += [d for d in declared if isinstance(d, dict) and isinstance(d.get("name"), str)]
    return found


def _function(declaration: dict) -> dict:
    function = {"name": declaration["name"]}
    if isinstance(declaration.get("description"), str):
        function["description"] = declaration["description"]
    schema = declaration.get("parametersJsonSchema", declaration.get("parameters_json_schema"))
    if schema is None and declaration.get("parameters") is not None:
        schema = openapi_schema(declaration["parameters"])
    function["parameters"] = schema if isinstance(schema, dict) else {"type": "object", "properties": {}}
    return {"type": "function", "function": function}


def chat_tools(body: dict) -> dict:
    """`tools` and `tool_choice` for the chat request ({} without functions:
    tool_choice without tools is a 400 upstream)."""
    declarations = _declarations(body.get("tools"))
    if not declarations:
        return {}
    config = (body.get("toolConfig") or body.get("tool_config") or {})
    calling = config.get("functionCallingConfig") or config.get("function_calling_config") or {}
    mode = str(calling.get("mode") or "AUTO").upper()
    allowed = calling.get("allowedFunctionNames") or calling.get("allowed_function_names")
    tools = [_function(d) for d in declarations]
    if mode == "NONE":
        return {"tools": tools, "tool_choice": "none"}
    if mode == "ANY":
        if isinstance(allowed, list) and allowed:
            tools = [t for t in tools if t["function"]["name"] in allowed] or tools
            if len(tools) == 1:
                return {"tools": tools, "tool_choice": {"type": "function",
                                                        "function": {"name": tools[0]["function"]["name"]}}}
        return {"tools": tools, "tool_choice": "required"}
    return {"tools": tools}

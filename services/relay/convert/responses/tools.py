"""Responses tools <-> chat function tools, and the kinds that map calls back.

Chat upstreams know only function tools. A `custom` tool (free-form input,
such as Codex's apply_patch) becomes a function with one string parameter
`input`; `local_shell` becomes a function `local_shell` taking the action.
`ToolKinds` remembers which names those were, so calls in the answer turn
back into `custom_tool_call` / `local_shell_call` items."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.relay.convert.tool_args import parse_tool_arguments

from .common import dumps, new_id

LOCAL_SHELL = "local_shell"
_INPUT_HEAD = re.compile(r'^\s*\{\s*"input"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

LOCAL_SHELL_PARAMETERS = {
    "type": "object",
    "properties": {
        "command": {"type": "array", "items": {"type": "string"},
                    "description": "The command and its arguments, as for execvp."},
        "workdir": {"type": "string", "description": "The working directory."},
        "timeout_ms": {"type": "integer", "description": "Time limit in milliseconds."},
        "env": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "Extra environment variables."},
    },
    "required": ["command"],
}

CUSTOM_PARAMETERS = {
    "type": "object",
    "properties": {"input": {"type": "string", "description": "The raw input for the tool."}},
    "required": ["input"],
    "additionalProperties": False,
}


@dataclass
class ToolKinds:
    """Function names (as sent upstream) that are really custom or local_shell tools."""

    custom: set[str] = field(default_factory=set)
    local_shell: set[str] = field(default_factory=set)

    def kind(self, name: str) -> str:
        if name in self.custom:
            return "custom"
        if name in self.local_shell:
            return "local_shell"
        return "function"


def chat_tools(tools, kinds: ToolKinds) -> list[dict]:
    """Responses `tools` -> chat `tools`; hosted tools are dropped (chat
    upstreams answer 400 on them)."""
    out: list[dict] = []
    for tool in tools or []:
        if not isinstance(tool, dict):
            continue
        kind = tool.get("type") or "function"
        if kind == "function" and tool.get("name"):
            function = {"name": tool["name"],
                        "parameters": tool.get("parameters") or {"type": "object", "properties": {}}}
            if tool.get("description"):
                function["description"] = tool["description"]
            if isinstance(tool.get("strict"), bool):
                function["strict"] = tool["strict"]
            out.append({"type": "function", "function": function})
        elif kind == "custom" and tool.get("name"):
            kinds.custom.add(tool["name"])
            out.append({"type": "function", "function": {
                "name": tool["name"], "description": _custom_description(tool),
                "parameters": CUSTOM_PARAMETERS}})
        elif kind == LOCAL_SHELL:
            kinds.local_shell.add(LOCAL_SHELL)
            out.append({"type": "function", "function": {
                "name": LOCAL_SHELL, "parameters": LOCAL_SHELL_PARAMETERS,
                "description": "Run a command on the user's machine and get its output."}})
        # hosted tools (web_search*, file_search, mcp, ...) and unknown kinds: dropped
    return out


def _custom_description(tool: dict) -> str:
    lines = [tool.get("description") or ""]
    fmt = tool.get("format") if isinstance(tool.get("format"), dict) else {}
    lines.append("Put the tool's whole free-form input, verbatim, in the string parameter `input`.")
    if fmt.get("type") == "grammar" and fmt.get("definition"):
        syntax = fmt.get("syntax") or "lark"
        lines.append(f"The input must match this {syntax} grammar:\n{fmt['definition']}")
    return "\n\n".join(line for line in lines if line)


def chat_tool_choice(choice, kinds: ToolKinds):
    """Responses `tool_choice` -> chat `tool_choice` (None: leave it out)."""
    if isinstance(choice, str):
        return choice if choice in ("auto", "none", "required") else None
    if not isinstance(choice, dict):
        return None
    kind = choice.get("type")
    if kind in ("function", "custom") and choice.get("name"):
        return {"type": "function", "function": {"name": choice["name"]}}
    if kind == LOCAL_SHELL:
        return {"type": "function", "function": {"name": LOCAL_SHELL}}
    if kind == "allowed_tools":
        return choice.get("mode") if choice.get("mode") in ("auto", "required") else "auto"
    return "auto"  # a hosted tool was forced: it is gone, let the model choose


# --- calls ------------------------------------------------------------------

def custom_arguments(text: str) -> str:
    return dumps({"input": text if isinstance(text, str) else ""})


def custom_input(arguments) -> str:
    """The free-form input from the arguments a chat model gave a custom tool."""
    parsed = parse_tool_arguments(arguments)
    value = parsed.get("input")
    if isinstance(value, str):
        return value
    if len(parsed) == 1:
        only = next(iter(parsed.values()))
        if isinstance(only, str):
            return only
    return arguments if isinstance(arguments, str) and not parsed else ""


def shell_arguments(action) -> str:
    """A local_shell_call action -> the arguments of the `local_shell` function."""
    action = action if isinstance(action, dict) else {}
    args: dict = {"command": list(action.get("command") or [])}
    if action.get("working_directory"):
        args["workdir"] = action["working_directory"]
    if action.get("timeout_ms") is not None:
        args["timeout_ms"] = action["timeout_ms"]
    if action.get("env"):
        args["env"] = action["env"]
    return dumps(args)


def shell_action(arguments) -> dict:
    """The arguments of the `local_shell` function -> a local_shell_call action."""
    args = parse_tool_arguments(arguments)
    command = args.get("command")
    if isinstance(command, str):
        command = [command]
    action = {"type": "exec", "command": [str(c) for c in command or []],
              "env": {str(k): str(v) for k, v in (args.get("env") or {}).items()}
              if isinstance(args.get("env"), dict) else {}}
    workdir = args.get("workdir") or args.get("working_directory")
    if isinstance(workdir, str) and workdir:
        action["working_directory"] = workdir
    if isinstance(args.get("timeout_ms"), int):
        action["timeout_ms"] = args["timeout_ms"]
    return action


def call_item(kinds: ToolKinds, *, call_id: str, name: str, arguments: str,
              status: str = "completed", item_id: str | None = None) -> dict:
    """A chat tool call -> its Responses output item."""
    kind = kinds.kind(name)
    if kind == "custom":
        return {"id": item_id or new_id("ctc"), "type": "custom_tool_call", "status": status,
                "call_id": call_id, "name": name, "input": custom_input(arguments)}
    if kind == "local_shell":
        return {"id": item_id or new_id("lsh"), "type": "local_shell_call", "status": status,
                "call_id": call_id, "action": shell_action(arguments)}
    return {"id": item_id or new_id("fc"), "type": "function_call", "status": status,
            "call_id": call_id, "name": name, "arguments": arguments}


def partial_input(raw: str) -> str:
    """The decoded `input` string so far from arguments `{"input": "...` as
    they stream; "" until the head has arrived or when the shape is other."""
    head = _INPUT_HEAD.match(raw)
    if not head:
        return ""
    out, i, text = [], head.end(), raw
    while i < len(text):
        ch = text[i]
        if ch == '"':
            break
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(text):
            break  # an escape cut in two: wait for the rest
        code = text[i + 1]
        if code == "u":
            char, i = _unicode_escape(text, i)
            if char is None:
                break
            out.append(char)
            continue
        out.append(_ESCAPES.get(code, code))
        i += 2
    return "".join(out)


def _unicode_escape(text: str, i: int) -> tuple[str | None, int]:
    """`\\uXXXX` at i (a surrogate pair when it is one) -> (char, next i);
    (None, i) when it is not all there yet."""
    try:
        code = int(text[i + 2:i + 6], 16) if i + 6 <= len(text) else None
    except ValueError:
        return None, i
    if code is None:
        return None, i
    if 0xD800 <= code < 0xDC00:
        if text[i + 6:i + 8] != "\\u" or i + 12 > len(text):
            return None, i
        try:
            low = int(text[i + 8:i + 12], 16)
        except ValueError:
            return None, i
        return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), i + 12
    return chr(code), i + 6

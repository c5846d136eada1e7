"""Responses request -> chat request (responses_to_chat_request)."""
from __future__ import annotations

import json

import pytest

from services.relay.convert.responses import ConversionError, ToolKinds, responses_to_chat_request

LARK = 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\n'

CODEX_TOOLS = [
    {"type": "function", "name": "shell", "description": "Runs a shell command",
     "strict": False, "parameters": {"type": "object", "properties": {
         "command": {"type": "array", "items": {"type": "string"}}}, "required": ["command"]}},
    {"type": "function", "name": "exec_command", "description": "Exec", "strict": False,
     "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}},
    {"type": "function", "name": "update_plan", "parameters": {"type": "object", "properties": {}}},
    {"type": "custom", "name": "apply_patch", "description": "Edit files with a patch.",
     "format": {"type": "grammar", "syntax": "lark", "definition": LARK}},
    {"type": "local_shell"},
    {"type": "web_search"},
    {"type": "web_search_preview"},
    {"type": "image_generation"},
    {"type": "tool_search"},
    {"type": "file_search", "vector_store_ids": ["vs"]},
    {"type": "mcp", "server_label": "x", "server_url": "https://x"},
    {"type": "code_interpreter", "container": {"type": "auto"}},
    {"type": "computer_use_preview", "display_width": 1, "display_height": 1, "environment": "linux"},
]


def codex_body(**extra) -> dict:
    body = {
        "model": "gpt-5.5", "instructions": "You are Codex.",
        "input": [
            {"type": "message", "role": "developer",
             "content": [{"type": "input_text", "text": "<permissions>sandboxed</permissions>"}]},
            {"type": "message", "role": "user",
             "content": [{"type": "input_text", "text": "<environment_context>cwd=/w</environment_context>"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "fix the bug"}]},
        ],
        "tools": CODEX_TOOLS, "tool_choice": "auto", "parallel_tool_calls": False,
        "reasoning": {"effort": "medium", "summary": "auto"}, "store": False, "stream": True,
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": "conv-uuid",
        "text": {"verbosity": "low"},
    }
    body.update(extra)
    return body


def convert(body, **kwargs):
    kwargs.setdefault("upstream_model", "up-model")
    kwargs.setdefault("max_output_tokens", None)
    return responses_to_chat_request(body, **kwargs)


def test_codex_request():
    out, kinds = convert(codex_body(), max_output_tokens=4096)
    assert out["model"] == "up-model"
    assert out["messages"][0] == {"role": "system",
                                  "content": "You are Codex.\n\n<permissions>sandboxed</permissions>"}
    assert [m["role"] for m in out["messages"]] == ["system", "user", "user"]
    assert out["messages"][2] == {"role": "user", "content": "fix the bug"}
    names = [t["function"]["name"] for t in out["tools"]]
    assert names == ["shell", "exec_command", "update_plan", "apply_patch", "local_shell"]
    assert all(t["type"] == "function" for t in out["tools"])
    assert out["tools"][0]["function"] == {"name": "shell", "description": "Runs a shell command",
                                           "strict": False, "parameters": CODEX_TOOLS[0]["parameters"]}
    assert kinds == ToolKinds(custom={"apply_patch"}, local_shell={"local_shell"})
    assert out["tool_choice"] == "auto" and out["parallel_tool_calls"] is False
    assert out["max_tokens"] == 4096
    assert out["reasoning_effort"] == "medium"
    assert out["prompt_cache_key"] == "conv-uuid"
    assert out["stream"] is True and out["stream_options"] == {"include_usage": True}
    assert out["verbosity"] == "low"
    for dropped in ("store", "include", "instructions", "input", "reasoning", "text", "previous_response_id"):
        assert dropped not in out


def test_custom_tool_becomes_one_string_param_with_grammar():
    out, _ = convert(codex_body())
    patch = next(t["function"] for t in out["tools"] if t["function"]["name"] == "apply_patch")
    assert patch["parameters"]["properties"] == {"input": {"type": "string",
                                                           "description": "The raw input for the tool."}}
    assert patch["parameters"]["required"] == ["input"]
    assert "Edit files with a patch." in patch["description"]
    assert "lark grammar" in patch["description"] and LARK in patch["description"]


def test_local_shell_schema():
    out, _ = convert(codex_body())
    shell = next(t["function"] for t in out["tools"] if t["function"]["name"] == "local_shell")
    props = shell["parameters"]["properties"]
    assert props["command"] == {"type": "array", "items": {"type": "string"},
                                "description": props["command"]["description"]}
    assert set(props) == {"command", "workdir", "timeout_ms", "env"}
    assert shell["parameters"]["required"] == ["command"]


def test_only_hosted_tools_sends_no_tools_or_choice():
    out, _ = convert({"input": "hi", "tools": [{"type": "web_search"}], "tool_choice": "required",
                      "parallel_tool_calls": True})
    assert "tools" not in out and "tool_choice" not in out and "parallel_tool_calls" not in out


@pytest.mark.parametrize("choice, expected", [
    ("auto", "auto"), ("none", "none"), ("required", "required"),
    ({"type": "function", "name": "shell"}, {"type": "function", "function": {"name": "shell"}}),
    ({"type": "custom", "name": "apply_patch"}, {"type": "function", "function": {"name": "apply_patch"}}),
    ({"type": "local_shell"}, {"type": "function", "function": {"name": "local_shell"}}),
    ({"type": "allowed_tools", "mode": "required", "tools": []}, "required"),
    ({"type": "web_search_preview"}, "auto"),
])
def test_tool_choice(choice, expected):
    out, _ = convert(codex_body(tool_choice=choice))
    assert out["tool_choice"] == expected


def test_string_input_and_no_instructions():
    out, kinds = convert({"input": "hello", "temperature": 0.3, "top_p": 0.9, "user": "u1", "store": True,
                          "metadata": {"k": "v"}, "truncation": "auto", "previous_response_id": None})
    assert out == {"model": "up-model", "messages": [{"role": "user", "content": "hello"}],
                   "temperature": 0.3, "top_p": 0.9, "user": "u1"}
    assert kinds == ToolKinds()


def test_images_and_mixed_parts():
    out, _ = convert({"input": [{"role": "user", "content": [
        {"type": "input_text", "text": "what is this"},
        {"type": "input_image", "image_url": "data:image/png;base64,AAA", "detail": "low"}]}]})
    assert out["messages"] == [{"role": "user", "content": [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA", "detail": "low"}}]}]


def test_function_calls_fold_into_one_assistant_message():
    out, _ = convert({"input": [
        {"role": "user", "content": "list and read"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "plan"}],
         "encrypted_content": "opaque"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Sure."}]},
        {"type": "function_call", "call_id": "c1", "name": "shell", "arguments": '{"command":["ls"]}'},
        {"type": "function_call", "call_id": "c2", "name": "shell", "arguments": '{"command":["cat","a"]}'},
        {"type": "function_call_output", "call_id": "c1", "output": "a\nb"},
        {"type": "function_call_output", "call_id": "c2", "output": "contents"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]},
    ]})
    msgs = out["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "tool", "assistant"]
    assert msgs[1] == {"role": "assistant", "content": "Sure.", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": '{"command":["ls"]}'}},
        {"id": "c2", "type": "function", "function": {"name": "shell", "arguments": '{"command":["cat","a"]}'}}]}
    assert msgs[2] == {"role": "tool", "tool_call_id": "c1", "content": "a\nb"}
    assert msgs[4] == {"role": "assistant", "content": "Done."}
    assert "reasoning_content" not in msgs[1]


def test_codex_sequential_calls_each_get_their_turn():
    out, _ = convert({"input": [
        {"role": "user", "content": "go"},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "1"},
        {"type": "function_call", "call_id": "c2", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c2", "output": "2"},
    ]})
    assert [m["role"] for m in out["messages"]] == ["user", "assistant", "tool", "assistant", "tool"]
    assert out["messages"][1]["content"] is None


def test_tool_output_array_text_joined_images_follow():
    out, _ = convert({"input": [
        {"type": "function_call", "call_id": "c1", "name": "view_image", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": [
            {"type": "input_text", "text": "line 1"}, {"type": "input_image", "image_url": "https://i/x.png"},
            {"type": "input_text", "text": "line 2"}]},
        {"type": "function_call_output", "call_id": "c2", "output": "ok"},
        {"role": "user", "content": "next"},
    ]})
    msgs = out["messages"]
    assert [m["role"] for m in msgs] == ["assistant", "tool", "tool", "user", "user"]
    assert msgs[1]["content"] == "line 1\nline 2"
    assert msgs[3] == {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://i/x.png"}}]}


def test_custom_tool_call_round_trips_as_function():
    out, _ = convert({"tools": [{"type": "custom", "name": "apply_patch"}], "input": [
        {"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch", "input": "*** Begin Patch\n"},
        {"type": "custom_tool_call_output", "call_id": "p1", "output": "Success"},
    ]})
    call = out["messages"][0]["tool_calls"][0]
    assert call["function"] == {"name": "apply_patch", "arguments": json.dumps(
        {"input": "*** Begin Patch\n"}, separators=(",", ":"))}
    assert out["messages"][1] == {"role": "tool", "tool_call_id": "p1", "content": "Success"}


def test_local_shell_call_round_trips():
    out, _ = convert({"input": [
        {"type": "local_shell_call", "id": "lsh_1", "call_id": "s1", "status": "completed",
         "action": {"type": "exec", "command": ["ls"], "working_directory": "/w", "timeout_ms": 1000,
                    "env": {}}},
        {"type": "local_shell_call_output", "id": "s1", "output": "a"},
    ]})
    call = out["messages"][0]["tool_calls"][0]
    assert call["id"] == "s1" and call["function"]["name"] == "local_shell"
    assert json.loads(call["function"]["arguments"]) == {"command": ["ls"], "workdir": "/w", "timeout_ms": 1000}
    assert out["messages"][1] == {"role": "tool", "tool_call_id": "s1", "content": "a"}


def test_missing_output_is_filled_and_orphan_output_is_words():
    out, _ = convert({"input": [
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"role": "user", "content": "never mind"},
        {"type": "function_call_output", "call_id": "zz", "output": "late"},
    ]})
    msgs = out["messages"]
    assert [m["role"] for m in msgs] == ["assistant", "tool", "user", "user"]
    assert msgs[1]["tool_call_id"] == "c1" and "aborted" in msgs[1]["content"]
    assert msgs[3]["content"] == "Output of tool call zz:\nlate"


def test_reasoning_back_for_deepseek():
    body = {"input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "thought"}]},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "r"}]}
    out, _ = convert(body, provider="deepseek")
    assert out["messages"][1]["reasoning_content"] == "thought"
    out, _ = convert(body)
    assert "reasoning_content" not in out["messages"][1]


def test_history_prepended_and_item_reference():
    history = [{"type": "message", "id": "msg_a", "role": "user", "content": "earlier"},
               {"type": "message", "id": "msg_b", "role": "assistant",
                "content": [{"type": "output_text", "text": "answer"}]}]
    out, _ = convert({"instructions": "sys", "input": [{"type": "item_reference", "id": "msg_b"},
                                                         {"role": "user", "content": "now"}]}, history=history)
    assert out["messages"] == [{"role": "system", "content": "sys"}, {"role": "user", "content": "earlier"},
                               {"role": "assistant", "content": "answer"}, {"role": "user", "content": "now"}]
    with pytest.raises(ConversionError, match="msg_zz"):
        convert({"input": [{"type": "item_reference", "id": "msg_zz"}]})


@pytest.mark.parametrize("fmt, expected", [
    ({"type": "text"}, None),
    ({"type": "json_object"}, {"type": "json_object"}),
    ({"type": "json_schema", "name": "pt", "schema": {"type": "object"}, "strict": True},
     {"type": "json_schema", "json_schema": {"name": "pt", "schema": {"type": "object"}, "strict": True}}),
])
def test_text_format(fmt, expected):
    out, _ = convert({"input": "x", "text": {"format": fmt}})
    assert out.get("response_format") == expected


def test_verbosity_only_for_openai():
    out, _ = convert({"input": "x", "text": {"verbosity": "high"}}, provider="deepseek")
    assert "verbosity" not in out


@pytest.mark.parametrize("bad", [None, [], {"input": 5}, {"input": [5]},
                                 {"input": [{"type": "function_call", "name": "f"}]}])
def test_bad_input_raises_conversion_error(bad):
    with pytest.raises(ConversionError):
        convert(bad)


def test_system_message_mid_conversation_is_folded_up():
    out, _ = convert({"input": [{"role": "user", "content": "a"},
                                {"role": "system", "content": "late rule"}]})
    assert out["messages"] == [{"role": "system", "content": "late rule"}, {"role": "user", "content": "a"}]

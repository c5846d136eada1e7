"""Anthropic system + messages -> OpenAI messages."""
from __future__ import annotations

import json

import pytest

from services.relay.convert import anthropic_to_openai_request

CC = {"type": "ephemeral"}


def messages(msgs, provider="openai", model="gpt-test", system=None):
    body = {"model": "claude-x", "max_tokens": 100, "messages": msgs}
    if system is not None:
        body["system"] = system
    out, _ = anthropic_to_openai_request(body, upstream_model=model, max_output_tokens=None, provider=provider)
    return out["messages"]


def tool_use(call_id, name="Bash", **input_):
    return {"type": "tool_use", "id": call_id, "name": name, "input": input_}


def result(call_id, content="ok", **extra):
    return {"type": "tool_result", "tool_use_id": call_id, "content": content, **extra}


# --- system -------------------------------------------------------------------------

def test_system_string_becomes_the_first_system_message():
    out = messages([{"role": "user", "content": "hi"}], system="Be brief.")
    assert out[0] == {"role": "system", "content": "Be brief."}


def test_system_blocks_are_joined_and_cache_control_dropped():
    system = [{"type": "text", "text": "A"}, {"type": "text", "text": "B", "cache_control": CC}]
    out = messages([{"role": "user", "content": "hi"}], system=system)
    assert out[0] == {"role": "system", "content": "A\n\nB"}
    assert "cache_control" not in json.dumps(out)


def test_openrouter_anthropic_models_keep_cache_control_on_parts():
    system = [{"type": "text", "text": "A"}, {"type": "text", "text": "B", "cache_control": CC}]
    user = {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": CC}]}
    out = messages([user], provider="openrouter", model="anthropic/claude-sonnet-4", system=system)
    assert out[0]["content"] == [{"type": "text", "text": "A"}, {"type": "text", "text": "B", "cache_control": CC}]
    assert out[1]["content"] == [{"type": "text", "text": "hi", "cache_control": CC}]


def test_openrouter_other_models_drop_cache_control():
    system = [{"type": "text", "text": "B", "cache_control": CC}]
    out = messages([{"role": "user", "content": "hi"}], provider="openrouter", model="deepseek/deepseek-chat",
                   system=system)
    assert "cache_control" not in json.dumps(out)


def test_claude_code_billing_header_block_is_not_sent():
    system = [{"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli;"},
              {"type": "text", "text": "You are Claude Code."}]
    out = messages([{"role": "user", "content": "hi"}], system=system)
    assert out[0] == {"role": "system", "content": "You are Claude Code."}


# --- mid-conversation system messages ---------------------------------------------------

CONVERSATION = [
    {"role": "user", "content": "one"},
    {"role": "assistant", "content": "two"},
    {"role": "system", "content": "Mode changed."},
    {"role": "user", "content": "three"},
]


def test_mid_conversation_system_message_stays_in_place():
    out = messages(CONVERSATION, system="S")
    assert [m["role"] for m in out] == ["system", "user", "assistant", "system", "user"]
    assert out[3]["content"] == "Mode changed."


@pytest.mark.parametrize("provider", ["qwen", "dashscope", "deepseek"])
def test_mid_conversation_system_is_folded_into_a_user_turn(provider):
    out = messages(CONVERSATION, provider=provider, system="S")
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert out[3]["content"] == "<system-reminder>\nMode changed.\n</system-reminder>\n\nthree"


def test_system_message_between_tool_call_and_result_moves_after_the_results():
    msgs = [{"role": "user", "content": "go"},
            {"role": "assistant", "content": [tool_use("t1", command="ls")]},
            {"role": "system", "content": "Note."},
            {"role": "user", "content": [result("t1", "a.py"), {"type": "text", "text": "next"}]}]
    out = messages(msgs)
    assert [m["role"] for m in out] == ["user", "assistant", "tool", "system", "user"]


# --- user content -------------------------------------------------------------------------

def test_single_text_block_collapses_to_a_string():
    out = messages([{"role": "user", "content": [{"type": "text", "text": "hello"}]}])
    assert out == [{"role": "user", "content": "hello"}]


def test_empty_text_blocks_are_dropped():
    out = messages([{"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "x"}]}])
    assert out == [{"role": "user", "content": "x"}]


@pytest.mark.parametrize("source, url", [
    ({"type": "base64", "media_type": "image/jpeg", "data": "QUJD"}, "data:image/jpeg;base64,QUJD"),
    ({"type": "url", "url": "https://example.com/cat.png"}, "https://example.com/cat.png"),
])
def test_images(source, url):
    out = messages([{"role": "user", "content": [{"type": "text", "text": "what is this"},
                                                  {"type": "image", "source": source}]}])
    assert out[0]["content"] == [{"type": "text", "text": "what is this"},
                                 {"type": "image_url", "image_url": {"url": url}}]


# --- tool results --------------------------------------------------------------------------

def tool_turns(*results, text=None):
    content = list(results) + ([{"type": "text", "text": text}] if text else [])
    calls = [tool_use(r["tool_use_id"]) for r in results]
    return [{"role": "user", "content": "go"}, {"role": "assistant", "content": calls},
            {"role": "user", "content": content}]


def test_each_tool_result_is_one_tool_message_before_the_users_text():
    out = messages(tool_turns(result("t1", "A"), result("t2", "B"), text="and now?"))
    assert [m["role"] for m in out] == ["user", "assistant", "tool", "tool", "user"]
    assert out[2] == {"role": "tool", "tool_call_id": "t1", "content": "A"}
    assert out[3] == {"role": "tool", "tool_call_id": "t2", "content": "B"}
    assert out[4] == {"role": "user", "content": "and now?"}


def test_tool_result_block_list_is_joined_with_newlines():
    content = [{"type": "text", "text": "line 1"}, {"type": "text", "text": "line 2"}]
    out = messages(tool_turns(result("t1", content)))
    assert out[2]["content"] == "line 1\nline 2"


@pytest.mark.parametrize("is_error, expected", [(True, "Error: boom"), (False, "boom")])
def test_is_error_becomes_an_error_prefix(is_error, expected):
    out = messages(tool_turns(result("t1", "boom", is_error=is_error)))
    assert out[2]["content"] == expected


def test_tool_result_images_go_to_a_following_user_message():
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAA"}}
    out = messages(tool_turns(result("t1", [{"type": "text", "text": "shot"}, image])))
    assert out[2] == {"role": "tool", "tool_call_id": "t1", "content": "shot"}
    assert out[3]["role"] == "user"
    assert out[3]["content"] == [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA"}}]


def test_missing_tool_result_is_synthesized():
    msgs = [{"role": "user", "content": "go"},
            {"role": "assistant", "content": [tool_use("t1"), tool_use("t2")]},
            {"role": "user", "content": [result("t2", "B")]}]
    out = messages(msgs)
    assert [(m["role"], m.get("tool_call_id")) for m in out[2:]] == [("tool", "t1"), ("tool", "t2")]
    assert out[3]["content"] == "B" and out[2]["content"]


def test_orphan_tool_result_becomes_user_text():
    out = messages([{"role": "user", "content": [result("gone", "late output"), {"type": "text", "text": "hi"}]}])
    assert all(m["role"] != "tool" for m in out)
    assert "late output" in out[0]["content"]


# --- assistant turns ----------------------------------------------------------------------------

def test_assistant_tool_calls_have_null_content_and_json_arguments():
    msgs = [{"role": "user", "content": "go"},
            {"role": "assistant", "content": [tool_use("t1", command="ls -la", timeout=5)]},
            {"role": "user", "content": [result("t1")]}]
    assistant = messages(msgs)[1]
    assert assistant["content"] is None
    call = assistant["tool_calls"][0]
    assert call["id"] == "t1" and call["type"] == "function" and call["function"]["name"] == "Bash"
    assert json.loads(call["function"]["arguments"]) == {"command": "ls -la", "timeout": 5}


def test_assistant_text_and_tool_calls():
    msgs = [{"role": "user", "content": "go"},
            {"role": "assistant", "content": [{"type": "text", "text": "Running."}, tool_use("t1")]},
            {"role": "user", "content": [result("t1")]}]
    assert messages(msgs)[1]["content"] == "Running."


THINKING_TURN = [
    {"role": "user", "content": "go"},
    {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Let me think.", "signature": ""},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "Done."}]},
    {"role": "user", "content": "thanks"},
]


def test_thinking_blocks_are_dropped():
    out = messages(THINKING_TURN)
    assert out[1] == {"role": "assistant", "content": "Done."}
    assert "Let me think" not in json.dumps(out) and "opaque" not in json.dumps(out)


def test_deepseek_gets_thinking_back_as_reasoning_content():
    assistant = messages(THINKING_TURN, provider="deepseek")[1]
    assert assistant["reasoning_content"] == "Let me think."
    assert assistant["content"] == "Done."
    assert "opaque" not in json.dumps(assistant)


def test_assistant_turn_with_only_thinking_is_dropped():
    msgs = [{"role": "user", "content": "a"},
            {"role": "assistant", "content": [{"type": "thinking", "thinking": "hm", "signature": ""}]},
            {"role": "user", "content": "b"}]
    assert [m["role"] for m in messages(msgs)] == ["user", "user"]

"""Local count_tokens estimate."""
from __future__ import annotations

from services.relay.convert import count_tokens
from services.relay.tokens import IMAGE_TOKENS, estimate_text_tokens

BASE = {"model": "claude-x", "messages": [{"role": "user", "content": "hello"}]}


def tokens(**fields) -> int:
    return count_tokens({**BASE, **fields})


def with_content(*blocks) -> int:
    return count_tokens({"messages": [{"role": "user", "content": list(blocks)}]})


def test_minimum_is_one():
    assert count_tokens({"messages": []}) == 1


def test_system_string_and_blocks_both_count():
    text = "You are a careful assistant. " * 20
    assert tokens(system=text) - tokens() == estimate_text_tokens(text)
    blocks = [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]
    assert tokens(system=blocks) == tokens(system=text)


def test_tools_count_name_description_and_schema():
    tool = {"name": "get_weather", "description": "Get the weather for a city. " * 5,
            "input_schema": {"type": "object", "properties": {"city": {"type": "string", "description": "City"}}}}
    with_tool = tokens(tools=[tool])
    no_schema = tokens(tools=[{**tool, "input_schema": {}}])
    no_description = tokens(tools=[{**tool, "description": ""}])
    assert with_tool > no_schema > tokens()
    assert with_tool - no_description == estimate_text_tokens(tool["description"])


def test_every_block_type_counts():
    empty = with_content()
    assert with_content({"type": "text", "text": "x" * 400}) - empty == 100
    assert with_content({"type": "tool_use", "id": "t", "name": "Read", "input": {"file_path": "/a/b/c"}}) > empty
    assert with_content({"type": "tool_result", "tool_use_id": "t", "content": "y" * 80}) - empty == 20
    assert with_content({"type": "tool_result", "tool_use_id": "t",
                         "content": [{"type": "text", "text": "y" * 80}]}) - empty == 20
    assert with_content({"type": "thinking", "thinking": "z" * 40, "signature": "sig"}) - empty == 10
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "A" * 100000}}
    assert with_content(image) - empty == IMAGE_TOKENS


def test_messages_add_overhead():
    two = count_tokens({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hi"}]})
    one = count_tokens({"messages": [{"role": "user", "content": "hi"}]})
    assert two > one

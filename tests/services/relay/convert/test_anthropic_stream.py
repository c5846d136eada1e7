"""OpenAI chunks -> Anthropic SSE events (AnthropicStreamWriter)."""
from __future__ import annotations

import json

import pytest

from services.relay.convert import AnthropicStreamWriter, ToolNames, format_sse

from .stream_checks import block_types, chat_chunk as chunk, check_anthropic_events, tool_call as call

USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150,
         "prompt_tokens_details": {"cached_tokens": 20}}


def tools_chunk(*entries) -> dict:
    return chunk({"tool_calls": list(entries)})


def run(chunks, **kwargs):
    writer = AnthropicStreamWriter(model="claude-x", input_tokens_estimate=100, **kwargs)
    events = []
    for item in chunks:
        events += writer.feed(item)
    events += writer.finish()
    return writer, events


def names(events):
    return [name for name, _ in events]


def final(events) -> dict:
    return next(data for name, data in events if name == "message_delta")


ROLE = chunk({"role": "assistant", "content": ""})
USAGE_CHUNK = chunk(usage=USAGE, choices=False)


# --- text ---------------------------------------------------------------------------

def test_plain_text_stream_is_exact():
    writer, events = run([ROLE, chunk({"content": "Hel"}), chunk({"content": "lo"}),
                          chunk(finish="stop"), USAGE_CHUNK])
    assert names(events) == ["message_start", "content_block_start", "content_block_delta",
                             "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
    start = events[0][1]["message"]
    assert start["model"] == "claude-x" and start["id"].startswith("msg_") and start["content"] == []
    assert start["usage"]["input_tokens"] == 100 and start["stop_reason"] is None
    assert events[1][1] == {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    message = check_anthropic_events(events)
    assert message.content[0].text == "Hello"
    assert message.stop_reason == "end_turn"
    assert final(events)["usage"] == {"input_tokens": 100, "output_tokens": 30,
                                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 20}
    assert writer.usage == USAGE


def test_empty_role_chunk_opens_no_block():
    _, events = run([ROLE, chunk({"content": ""}), chunk(finish="stop"), USAGE_CHUNK])
    assert "content_block_start" not in names(events)
    check_anthropic_events(events)


def test_start_opens_the_stream_before_the_first_chunk():
    writer = AnthropicStreamWriter(model="claude-x", input_tokens_estimate=100)
    assert names(writer.start()) == ["message_start"] and writer.start() == []
    events = writer.feed(chunk({"content": "hi"}))
    assert names(events) == ["content_block_start", "content_block_delta"]


def test_started_flag_and_message_id():
    writer = AnthropicStreamWriter(model="m", input_tokens_estimate=5, message_id="msg_fixed")
    assert writer.started is False
    events = writer.feed(ROLE)
    assert writer.started is True
    assert events[0][1]["message"]["id"] == "msg_fixed"


# --- thinking -------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_then_text(field):
    _, events = run([ROLE, chunk({field: "Let me "}), chunk({field: "think."}),
                     chunk({"content": "Answer."}), chunk(finish="stop"), USAGE_CHUNK])
    assert block_types(events) == ["thinking", "text"]
    message = check_anthropic_events(events)
    assert message.content[0].thinking == "Let me think."
    assert message.content[1].text == "Answer."
    signature = [d for n, d in events if n == "content_block_delta" and d["delta"]["type"] == "signature_delta"]
    assert len(signature) == 1 and signature[0]["index"] == 0


def test_reasoning_sent_in_both_fields_is_not_duplicated():
    _, events = run([chunk({"reasoning_content": "abc", "reasoning": "abc"}), chunk(finish="stop"), USAGE_CHUNK])
    assert check_anthropic_events(events).content[0].thinking == "abc"


def test_thinking_then_tool_call_closes_thinking_with_signature():
    _, events = run([chunk({"reasoning_content": "plan"}),
                     tools_chunk(call(0, "call_1", "Read", '{"file_path":"/a"}')),
                     chunk(finish="tool_calls"), USAGE_CHUNK])
    assert block_types(events) == ["thinking", "tool_use"]
    check_anthropic_events(events)


# --- tool calls ---------------------------------------------------------------------

def split_calls(first_index=0, second_index=1, with_index=True):
    """Two parallel calls, each with arguments split across 3 chunks."""
    i0 = first_index if with_index else None
    i1 = second_index if with_index else None
    return [
        tools_chunk(call(i0, "call_a", "Read", "")),
        tools_chunk(call(i0, args='{"file_')),
        tools_chunk(call(i0, args='path": "/a.py"')),
        tools_chunk(call(i0, args="}")),
        tools_chunk(call(i1, "call_b", "Grep", '{"pat')),
        tools_chunk(call(i1, args='tern": "def ",')),
        tools_chunk(call(i1, args=' "path": "/src"}')),
    ]


def assert_two_calls(events):
    assert block_types(events) == ["tool_use", "tool_use"]
    message = check_anthropic_events(events)
    first, second = message.content
    assert (first.id, first.name, first.input) == ("call_a", "Read", {"file_path": "/a.py"})
    assert (second.id, second.name, second.input) == ("call_b", "Grep", {"pattern": "def ", "path": "/src"})
    assert message.stop_reason == "tool_use"


def test_parallel_tool_calls_each_get_their_own_block():
    _, events = run([ROLE, *split_calls(), chunk(finish="tool_calls"), USAGE_CHUNK])
    assert_two_calls(events)
    starts = [d for n, d in events if n == "content_block_start"]
    assert starts[0]["content_block"] == {"type": "tool_use", "id": "call_a", "name": "Read", "input": {}}


def test_provider_omitting_index_routes_by_id_then_last_call():
    _, events = run([ROLE, *split_calls(with_index=False), chunk(finish="tool_calls"), USAGE_CHUNK])
    assert_two_calls(events)


def test_ollama_style_index_zero_reuse_with_distinct_ids():
    _, events = run([ROLE, *split_calls(first_index=0, second_index=0), chunk(finish="tool_calls"), USAGE_CHUNK])
    assert_two_calls(events)


def test_deepseek_style_wrong_index_on_the_second_header():
    chunks = split_calls()
    chunks[4] = tools_chunk(call(0, "call_b", "Grep", '{"pat'))  # header says 0, its fragments say 1
    _, events = run([ROLE, *chunks, chunk(finish="tool_calls"), USAGE_CHUNK])
    assert_two_calls(events)


def test_ids_repeated_on_every_fragment():
    chunks = [tools_chunk(call(0, "call_a", "Read", '{"file_path"')),
              tools_chunk(call(0, "call_a", "Read", ': "/x"}'))]
    _, events = run([*chunks, chunk(finish="tool_calls"), USAGE_CHUNK])
    assert block_types(events) == ["tool_use"]
    assert check_anthropic_events(events).content[0].input == {"file_path": "/x"}


def test_text_after_a_tool_call_opens_a_new_text_block():
    _, events = run([chunk({"content": "Let me look."}),
                     tools_chunk(call(0, "call_a", "Read", '{"file_path": "/a"}')),
                     chunk({"content": "(and more)"}),
                     chunk(finish="tool_calls"), USAGE_CHUNK])
    assert block_types(events) == ["text", "tool_use", "text"]
    check_anthropic_events(events)  # asserts no text_delta went into the tool_use block


def test_missing_tool_id_is_generated_and_dict_arguments_serialized():
    _, events = run([tools_chunk(call(0, name="Read", args={"file_path": "/a"})), chunk(finish="tool_calls"),
                     USAGE_CHUNK])
    block = check_anthropic_events(events).content[0]
    assert block.id.startswith("toolu_") and block.input == {"file_path": "/a"}


def test_shortened_tool_names_are_restored():
    tool_names = ToolNames()
    long = "mcp__" + "x" * 80
    short = tool_names.shorten(long)
    _, events = run([tools_chunk(call(0, "c1", short, "{}")), chunk(finish="tool_calls"), USAGE_CHUNK],
                    tool_names=tool_names)
    assert check_anthropic_events(events).content[0].name == long


def test_fragment_for_an_already_closed_block_is_not_misrouted():
    writer, events = run([tools_chunk(call(0, "call_a", "Read", '{"a": 1}')),
                          tools_chunk(call(1, "call_b", "Read", '{"b": 2}')),
                          tools_chunk(call(0, args=" ")),
                          chunk(finish="tool_calls"), USAGE_CHUNK])
    message = check_anthropic_events(events)
    assert [b.input for b in message.content] == [{"a": 1}, {"b": 2}]
    assert writer.late_fragments == 1


# --- finish and usage -----------------------------------------------------------------

def test_content_and_finish_reason_in_one_chunk():
    _, events = run([chunk({"role": "assistant", "content": "All at once."}, finish="stop", usage=USAGE)])
    message = check_anthropic_events(events)
    assert message.content[0].text == "All at once."
    assert message.stop_reason == "end_turn"
    assert final(events)["usage"]["output_tokens"] == 30


def test_message_delta_waits_for_usage_after_finish_reason():
    writer = AnthropicStreamWriter(model="claude-x", input_tokens_estimate=100)
    events = writer.feed(chunk({"content": "hi"}))
    held = writer.feed(chunk(finish="stop"))
    assert names(held) == ["content_block_stop"]
    done = writer.feed(USAGE_CHUNK)
    assert names(done) == ["message_delta", "message_stop"]
    assert done[0][1]["usage"]["input_tokens"] == 100
    assert writer.finish() == [] and writer.feed(chunk({"content": "late"})) == []
    check_anthropic_events(events + held + done)


def test_usage_on_earlier_chunks_does_not_end_the_message():
    writer = AnthropicStreamWriter(model="claude-x", input_tokens_estimate=100)
    events = writer.feed(chunk({"content": "a"}, usage={"prompt_tokens": 120, "completion_tokens": 1}))
    assert "message_delta" not in names(events)
    events += writer.feed(chunk({"content": "b"}, usage={"prompt_tokens": 120, "completion_tokens": 2}))
    events += writer.feed(chunk(finish="stop"))
    events += writer.finish()
    assert final(events)["usage"]["output_tokens"] == 2


def test_without_upstream_usage_final_usage_is_estimated():
    writer, events = run([chunk({"content": "Hello there, how are you?"}), chunk(finish="stop")])
    usage = final(events)["usage"]
    assert usage["input_tokens"] == 100 and usage["output_tokens"] > 0
    assert writer.usage is None
    check_anthropic_events(events)


def test_zero_prompt_tokens_fall_back_to_the_estimate():
    _, events = run([chunk({"content": "x"}, finish="stop"), chunk(usage={"prompt_tokens": 0, "completion_tokens": 3},
                                                                   choices=False)])
    assert final(events)["usage"]["input_tokens"] == 100


def test_all_cached_prompt_keeps_zero_input_tokens():
    usage = {"prompt_tokens": 500, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 500}}
    _, events = run([chunk({"content": "x"}, finish="stop", usage=usage)])
    assert final(events)["usage"]["cache_read_input_tokens"] == 500
    assert final(events)["usage"]["input_tokens"] == 0  # cached tokens are not input_tokens


@pytest.mark.parametrize("finish_reason, with_tool, expected", [
    ("stop", False, "end_turn"),
    ("length", False, "max_tokens"),
    ("content_filter", False, "refusal"),
    ("tool_calls", True, "tool_use"),
    ("function_call", True, "tool_use"),
    ("stop", True, "tool_use"),
    ("tool_calls", False, "end_turn"),
    (None, False, "end_turn"),
    ("weird", False, "end_turn"),
])
def test_stop_reason_table(finish_reason, with_tool, expected):
    chunks = [chunk({"content": "x"})]
    if with_tool:
        chunks.append(tools_chunk(call(0, "c1", "Read", "{}")))
    if finish_reason:
        chunks.append(chunk(finish=finish_reason))
    _, events = run(chunks)
    assert final(events)["delta"]["stop_reason"] == expected


def test_finish_without_any_chunk_is_still_a_valid_stream():
    _, events = run([])
    assert names(events) == ["message_start", "message_delta", "message_stop"]
    check_anthropic_events(events)


# --- ping, errors, framing --------------------------------------------------------------

def test_ping_and_mid_stream_error():
    writer = AnthropicStreamWriter(model="claude-x", input_tokens_estimate=1)
    writer.feed(chunk({"content": "partial"}))
    assert writer.ping() == ("ping", {"type": "ping"})
    assert writer.error("overloaded_error", "upstream busy") == (
        "error", {"type": "error", "error": {"type": "overloaded_error", "message": "upstream busy"}})
    assert writer.feed(chunk({"content": "more"})) == [] and writer.finish() == []


def test_upstream_error_chunk_becomes_an_error_event():
    writer = AnthropicStreamWriter(model="claude-x", input_tokens_estimate=1)
    events = writer.feed({"error": {"code": 429, "message": "slow down"}})
    assert events[-1] == ("error", {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})


def test_format_sse_is_compact_utf8():
    frame = format_sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": "你好"}})
    assert frame == ('event: content_block_delta\n'
                     'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"你好"}}'
                     '\n\n').encode("utf-8")


def test_sse_frames_round_trip():
    _, events = run([chunk({"content": "a\nb"}), chunk(finish="stop"), USAGE_CHUNK])
    text = b"".join(format_sse(n, d) for n, d in events).decode("utf-8")
    frames = [f for f in text.split("\n\n") if f]
    parsed = [(f.split("\n")[0][len("event: "):], json.loads(f.split("\n")[1][len("data: "):])) for f in frames]
    assert parsed == events

"""Chat chunks -> Responses events (ResponsesStreamWriter)."""
from __future__ import annotations

import json

import pytest

from services.billing.pricing import Usage
from services.relay.convert.responses import (ResponsesStreamWriter, ToolKinds, counting_ids,
                                              format_event, id_source)

from .responses_checks import check_responses_events, sse_frames
from .stream_checks import chat_chunk as chunk, tool_call as call

USAGE = Usage(prompt_tokens=120, completion_tokens=30, cached_tokens=20, reasoning_tokens=5)


def tools(*entries) -> dict:
    return chunk({"tool_calls": list(entries)})


@pytest.fixture(autouse=True)
def ids():
    with id_source(counting_ids()):
        yield


def run(chunks, kinds=None, usage=USAGE, request=None, tools_param=None):
    writer = ResponsesStreamWriter(kinds or ToolKinds(), response_id="resp_1", model="gpt-x",
                                   created_at=1700000000, request=request or {})
    events = writer.start()
    for c in chunks:
        events += writer.feed(c)
    events += writer.finish(usage)
    final = check_responses_events(events, tools=tools_param)
    return events, final


def names(events):
    return [n for n, _ in events]


def test_text_stream_exact_order():
    events, final = run([chunk({"role": "assistant", "content": ""}), chunk({"content": "Hel"}),
                         chunk({"content": "lo"}), chunk({}, finish="stop")])
    assert names(events) == [
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed"]
    assert [d["sequence_number"] for _, d in events] == list(range(10))
    part = events[3][1]
    assert part["item_id"] == events[2][1]["item"]["id"] and part["output_index"] == 0
    assert part["content_index"] == 0
    assert final["status"] == "completed"
    assert final["output"] == [{"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
                                "content": [{"type": "output_text", "text": "Hello", "annotations": [],
                                             "logprobs": []}]}]
    assert final["usage"] == {"input_tokens": 120,
                              "input_tokens_details": {"cached_tokens": 20, "cache_write_tokens": 0},
                              "output_tokens": 30, "output_tokens_details": {"reasoning_tokens": 5},
                              "total_tokens": 150}


def test_usage_none_still_gives_integer_details():
    _, final = run([chunk({"content": "x"}, finish="stop")], usage=None)
    assert final["usage"]["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}
    assert final["usage"]["output_tokens_details"] == {"reasoning_tokens": 0}
    assert final["usage"]["total_tokens"] == 0


def test_reasoning_then_text():
    events, final = run([chunk({"reasoning_content": "think"}), chunk({"reasoning_content": "ing"}),
                         chunk({"content": "answer"}), chunk({}, finish="stop")])
    assert names(events)[2:9] == [
        "response.output_item.added", "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
        "response.output_item.done"]
    assert all(d["summary_index"] == 0 for n, d in events if "reasoning_summary" in n)
    assert final["output"][0] == {"id": "rs_1", "type": "reasoning",
                                  "summary": [{"type": "summary_text", "text": "thinking"}]}
    assert final["output"][1]["type"] == "message" and final["output"][1]["content"][0]["text"] == "answer"


def test_openrouter_reasoning_field():
    _, final = run([chunk({"reasoning": "hmm"}), chunk({"content": "ok"}, finish="stop")])
    assert [i["type"] for i in final["output"]] == ["reasoning", "message"]


def test_tool_call_arguments_buffered():
    events, final = run([
        chunk({"content": "Let me look."}),
        tools(call(0, "call_a", "shell", '{"comm')), tools(call(0, args='and": ["ls"]}')),
        chunk({}, finish="tool_calls")])
    fc = final["output"][1]
    assert fc == {"id": "fc_2", "type": "function_call", "status": "completed", "call_id": "call_a",
                  "name": "shell", "arguments": '{"command": ["ls"]}'}
    added = next(d for n, d in events if n == "response.output_item.added" and d["output_index"] == 1)
    assert added["item"]["arguments"] == "" and added["item"]["status"] == "in_progress"
    deltas = [d["delta"] for n, d in events if n == "response.function_call_arguments.delta"]
    assert deltas == ['{"comm', 'and": ["ls"]}']


def test_fragments_without_index_and_reused_index_zero():
    # Gemini-style: no index; the name starts a new call, a bare fragment continues the last.
    _, final = run([tools(call(name="a", args='{"x":')), tools(call(args="1}")),
                    tools(call(name="b", args='{"y":2}')), chunk({}, finish="tool_calls")])
    assert [(i["name"], i["arguments"]) for i in final["output"]] == [("a", '{"x":1}'), ("b", '{"y":2}')]
    # Ollama-style: every call on index 0, each with its own id.
    _, final = run([tools(call(0, "c1", "a", "{}")), tools(call(0, "c2", "b", "{}")),
                    chunk({}, finish="tool_calls")])
    assert [(i["call_id"], i["name"]) for i in final["output"]] == [("c1", "a"), ("c2", "b")]


def test_parallel_calls_by_index():
    _, final = run([tools(call(0, "c1", "read", '{"p":'), call(1, "c2", "read", "")),
                    tools(call(1, args='{"p":2}')), chunk({}, finish="tool_calls")])
    # A fragment for call 0 after call 1 opened is late: call 1 is the open item.
    assert [i["call_id"] for i in final["output"]] == ["c1", "c2"]
    assert final["output"][1]["arguments"] == '{"p":2}'


def test_text_after_tool_call_opens_new_message():
    events, final = run([chunk({"content": "first"}), tools(call(0, "c1", "f", "{}")),
                         chunk({"content": "second"}), chunk({}, finish="stop")])
    assert [i["type"] for i in final["output"]] == ["message", "function_call", "message"]
    assert final["output"][0]["id"] != final["output"][2]["id"]
    assert final["output"][2]["content"][0]["text"] == "second"
    assert names(events).count("response.content_part.added") == 2


def test_custom_tool_streams_decoded_input():
    kinds = ToolKinds(custom={"apply_patch"})
    patch = '*** Begin Patch\n*** Add File: a.txt\n+hi "there"\n*** End Patch'
    raw = json.dumps({"input": patch})
    pieces = [raw[:5], raw[5:20], raw[20:33], raw[33:]]
    events, final = run([tools(call(0, "call_p", "apply_patch", pieces[0]))]
                        + [tools(call(0, args=p)) for p in pieces[1:]] + [chunk({}, finish="tool_calls")],
                        kinds=kinds)
    item = final["output"][0]
    assert item == {"id": "ctc_1", "type": "custom_tool_call", "status": "completed", "call_id": "call_p",
                    "name": "apply_patch", "input": patch}
    deltas = "".join(d["delta"] for n, d in events if n == "response.custom_tool_call_input.delta")
    assert deltas == patch
    done = next(d for n, d in events if n == "response.custom_tool_call_input.done")
    assert done["input"] == patch
    assert "response.function_call_arguments.delta" not in names(events)


def test_local_shell_call():
    kinds = ToolKinds(local_shell={"local_shell"})
    _, final = run([tools(call(0, "call_s", "local_shell", '{"command":["ls","-la"],"workdir":"/tmp"}')),
                    chunk({}, finish="tool_calls")], kinds=kinds)
    assert final["output"][0] == {
        "id": "lsh_1", "type": "local_shell_call", "status": "completed", "call_id": "call_s",
        "action": {"type": "exec", "command": ["ls", "-la"], "env": {}, "working_directory": "/tmp"}}


@pytest.mark.parametrize("reason, detail", [("length", "max_output_tokens"), ("content_filter", "content_filter")])
def test_incomplete(reason, detail):
    events, final = run([chunk({"content": "cut"}), chunk({}, finish=reason)])
    assert names(events)[-1] == "response.incomplete"
    assert final["status"] == "incomplete"
    assert final["incomplete_details"] == {"reason": detail}
    assert type(final["usage"]["output_tokens_details"]["reasoning_tokens"]) is int


def test_error_mid_stream():
    writer = ResponsesStreamWriter(ToolKinds(), response_id="resp_1", model="m", created_at=1, request={})
    events = writer.feed(chunk({"content": "par"}))
    events += writer.error("rate_limit_exceeded", "slow down")
    assert events[0][0] == "response.created"
    assert events[-1][0] == "response.failed"
    failed = events[-1][1]["response"]
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "rate_limit_exceeded", "message": "slow down"}
    assert writer.feed(chunk({"content": "more"})) == [] and writer.finish(None) == []
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))


def test_error_chunk_from_upstream():
    writer = ResponsesStreamWriter(ToolKinds(), response_id="resp_1", model="m", created_at=1, request={})
    events = writer.start() + writer.feed({"error": {"message": "boom", "code": 502}})
    assert events[-1][0] == "response.failed"
    assert events[-1][1]["response"]["error"] == {"code": "server_error", "message": "boom"}


def test_heartbeat_and_start_once():
    writer = ResponsesStreamWriter(ToolKinds(), response_id="resp_1", model="m", created_at=1, request={})
    events = writer.start()
    assert writer.start() == []
    events.append(writer.heartbeat())
    events += writer.feed(chunk({"content": "a"}))
    events.append(writer.heartbeat())
    events += writer.finish(None)
    assert events[2][0] == "response.in_progress" and events[2][1]["sequence_number"] == 2
    check_responses_events(events)


def test_feed_without_start_emits_created_first():
    writer = ResponsesStreamWriter(ToolKinds(), response_id="resp_1", model="m", created_at=1, request={})
    events = writer.feed(chunk({"content": "a"})) + writer.finish(None)
    check_responses_events(events)


def test_empty_stream_completes_with_no_output():
    events, final = run([chunk({"role": "assistant", "content": ""}), chunk({}, finish="stop")])
    assert names(events) == ["response.created", "response.in_progress", "response.completed"]
    assert final["output"] == []


def test_request_fields_echoed():
    request = {"instructions": "be brief", "tools": [{"type": "function", "name": "f", "parameters": {}}],
               "tool_choice": "auto", "parallel_tool_calls": False, "temperature": 0.2, "max_output_tokens": 99,
               "store": False, "reasoning": {"effort": "high", "summary": "auto"},
               "text": {"format": {"type": "text"}}, "metadata": {"a": "b"}}
    _, final = run([chunk({"content": "x"}, finish="stop")], request=request, tools_param=request["tools"])
    for key, value in request.items():
        assert final[key] == value
    assert final["previous_response_id"] is None and final["top_p"] is None


def test_format_event():
    frame = format_event("response.created", {"type": "response.created", "sequence_number": 0, "x": "é"})
    assert frame.startswith(b"event: response.created\ndata: {")
    assert frame.endswith(b"\n\n")
    assert sse_frames(frame) == [("response.created", {"type": "response.created", "sequence_number": 0,
                                                       "x": "é"})]


def test_codex_style_turn():
    """Reasoning, text, a shell call and an apply_patch, as a Codex turn gets them."""
    kinds = ToolKinds(custom={"apply_patch"})
    events, final = run([
        chunk({"role": "assistant", "content": None, "reasoning_content": "plan"}),
        chunk({"content": "Doing it."}),
        tools(call(0, "c1", "shell", '{"command":["ls"]}')),
        tools(call(1, "c2", "apply_patch", '{"input":"*** Begin Patch\\n*** End Patch"}')),
        chunk({}, finish="tool_calls", usage=None)], kinds=kinds)
    assert [i["type"] for i in final["output"]] == ["reasoning", "message", "function_call", "custom_tool_call"]
    assert final["output"][3]["input"] == "*** Begin Patch\n*** End Patch"
    assert final["status"] == "completed"


def test_name_after_id_and_one_chunk_with_everything():
    _, final = run([tools(call(0, "c1")), tools(call(0, name="late", args="{}")), chunk({}, finish="tool_calls")])
    assert final["output"][0]["name"] == "late" and final["output"][0]["call_id"] == "c1"
    # fake streaming: the whole answer and the finish in one chunk
    _, final = run([chunk({"role": "assistant", "content": "all", "tool_calls": [call(0, "c2", "f", "{}")]},
                          finish="tool_calls")])
    assert [i["type"] for i in final["output"]] == ["message", "function_call"]


def test_reasoning_after_text_opens_a_new_reasoning_item():
    _, final = run([chunk({"reasoning_content": "a"}), chunk({"content": "b"}), chunk({"reasoning_content": "c"}),
                    chunk({}, finish="stop")])
    assert [i["type"] for i in final["output"]] == ["reasoning", "message", "reasoning"]
    assert len({i["id"] for i in final["output"]}) == 3


def test_streamed_text_for_estimates():
    writer = ResponsesStreamWriter(ToolKinds(), response_id="resp_1", model="m", created_at=1, request={})
    writer.feed(chunk({"reasoning_content": "r", "content": "t"}))
    writer.feed(tools(call(0, "c", "f", '{"a":1}')))
    assert writer.streamed_text == 'rt{"a":1}'
    writer.finish(None)
    assert [i["type"] for i in writer.output] == ["reasoning", "message", "function_call"]


def test_codex_request_through_the_whole_pipeline():
    """A Codex request converted, its chat stream converted back, with the
    Codex tools echoed and given to the SDK's stream state."""
    from services.relay.convert.responses import responses_to_chat_request

    from .test_responses_request import codex_body
    body = codex_body()
    chat, kinds = responses_to_chat_request(body, upstream_model="up", max_output_tokens=None)
    assert chat["stream_options"] == {"include_usage": True}
    patch = json.dumps({"input": "*** Begin Patch\n*** Update File: a.py\n@@\n-x\n+y\n*** End Patch\n"})
    events, final = run([chunk({"reasoning_content": "look"}), chunk({"content": "Fixing."}),
                         tools(call(0, "c1", "shell", '{"command":["cat","a.py"]}')),
                         tools(call(1, "c2", "apply_patch", patch[:17])), tools(call(1, args=patch[17:])),
                         tools(call(2, "c3", "local_shell", '{"command":["pytest"]}')),
                         chunk({}, finish="tool_calls")], kinds=kinds, request=body, tools_param=body["tools"])
    assert [i["type"] for i in final["output"]] == ["reasoning", "message", "function_call", "custom_tool_call",
                                                    "local_shell_call"]
    assert final["tools"] == body["tools"] and final["store"] is False
    assert final["output"][3]["input"].endswith("*** End Patch\n")

"""Validators for Responses streams and objects, shared by the Responses tests.

`check_responses_events` enforces the canonical event order of
docs/protocols.md §6, parses every event with the openai SDK's own pydantic
types and replays the stream through `ResponseStreamState` (what
`client.responses.stream()` runs), so a stream that passes is one the
official client can consume."""
from __future__ import annotations

import json
import re

import pydantic
from openai import omit
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import Response, ResponseStreamEvent

EVENT = pydantic.TypeAdapter(ResponseStreamEvent)
TERMINAL = {"response.completed", "response.incomplete", "response.failed"}
# Per item kind, the event sequence (after output_item.added) as a regex over short names.
ITEM_ORDER = {
    "message": r"part\+ (text )*text_done part_done done",
    "reasoning": r"summary_part\+ (summary )*summary_done summary_part_done done",
    "function_call": r"(args )*args_done done",
    "custom_tool_call": r"(input )*input_done done",
    "local_shell_call": r"done",
}
SHORT = {
    "response.content_part.added": "part+", "response.output_text.delta": "text",
    "response.output_text.done": "text_done", "response.content_part.done": "part_done",
    "response.output_item.done": "done", "response.reasoning_summary_part.added": "summary_part+",
    "response.reasoning_summary_text.delta": "summary", "response.reasoning_summary_text.done": "summary_done",
    "response.reasoning_summary_part.done": "summary_part_done",
    "response.function_call_arguments.delta": "args", "response.function_call_arguments.done": "args_done",
    "response.custom_tool_call_input.delta": "input", "response.custom_tool_call_input.done": "input_done",
}


def check_response(response: dict) -> Response:
    """The object parses as an SDK Response and its usage is complete integers."""
    parsed = Response.model_validate(response)
    if response.get("usage") is not None:
        usage = response["usage"]
        for key in ("input_tokens", "output_tokens", "total_tokens"):
            assert type(usage[key]) is int, key
        assert type(usage["input_tokens_details"]["cached_tokens"]) is int
        assert type(usage["output_tokens_details"]["reasoning_tokens"]) is int
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    return parsed


def check_responses_events(events: list[tuple[str, dict]], *, tools=None) -> dict:
    """Assert the events form one valid Responses stream; return the terminal response."""
    names = [name for name, _ in events]
    assert names[:2] == ["response.created", "response.in_progress"], names
    assert names[-1] in TERMINAL, names
    assert sum(n in TERMINAL for n in names) == 1, names
    assert [d["sequence_number"] for _, d in events] == list(range(events[0][1]["sequence_number"],
                                                               events[0][1]["sequence_number"] + len(events)))
    ids = set()
    for name, data in events:
        assert data["type"] == name
        EVENT.validate_python(data)
        if "response" in data:
            check_response(data["response"])
            ids.add(data["response"]["id"])
            assert data["response"]["object"] == "response"
    assert len(ids) == 1, "one response id for every event"
    assert events[0][1]["response"]["status"] == "in_progress" and events[0][1]["response"]["output"] == []
    done_items = _check_items(events)
    final = events[-1][1]["response"]
    assert final["output"] == done_items, "the terminal response holds the full output"
    _replay(events, tools)
    return final


def _check_items(events) -> list[dict]:
    items: list[dict] = []
    open_kind, open_index, trail, texts = None, None, [], {}
    for name, data in events:
        if name == "response.output_item.added":
            assert open_kind is None, "an item opened while another is open"
            assert data["output_index"] == len(items), "output indexes are contiguous"
            open_kind, open_index, trail, texts = data["item"]["type"], data["output_index"], [], {}
            assert open_kind == "reasoning" or data["item"]["status"] == "in_progress"
            continue
        if name not in SHORT:
            continue
        assert open_kind is not None, f"{name} outside an item"
        assert data["output_index"] == open_index
        trail.append(SHORT[name])
        if "delta" in data:
            assert data["delta"], "empty delta"
            texts[name] = texts.get(name, "") + data["delta"]
        if name == "response.output_text.done":
            assert data["text"] == texts.get("response.output_text.delta", "")
        if name == "response.reasoning_summary_text.done":
            assert data["text"] == texts.get("response.reasoning_summary_text.delta", "")
        if name == "response.function_call_arguments.done":
            assert data["arguments"] == texts.get("response.function_call_arguments.delta", "")
        if name == "response.output_item.done":
            order = " ".join(trail)
            assert re.fullmatch(ITEM_ORDER[open_kind], order), (open_kind, order)
            assert data["item"]["type"] == open_kind
            items.append(data["item"])
            open_kind = None
    assert open_kind is None, "an item was never closed"
    return items


def _replay(events, tools) -> None:
    state = ResponseStreamState(input_tools=tools or [], text_format=omit)
    for _, data in events:
        state.handle_event(EVENT.validate_python(data))
    if events[-1][0] == "response.completed":
        assert state._completed_response is not None


def sse_frames(payload: bytes) -> list[tuple[str, dict]]:
    """Parse `event:`/`data:` frames back (for format_event tests)."""
    out = []
    for frame in payload.decode().split("\n\n"):
        if not frame:
            continue
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out

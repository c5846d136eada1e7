"""The Responses recorder that captures real clients' requests
(tests/support/responses_recorder.py) answers what openai-python's stream
helper accepts, and the fixtures it produced hold what converter tests need."""
from __future__ import annotations

import json
from pathlib import Path

from openai import OpenAI

from tests.support.responses_recorder import ResponsesRecorder, function_call, text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_recorder_answers_text_then_a_function_call_and_records_both():
    with ResponsesRecorder([text("hi there"), function_call("f", {"a": 1}, call_id="call_1")]) as server:
        client = OpenAI(base_url=server.base_url, api_key="sk-secret", max_retries=0)
        with client.responses.stream(model="m", input="x") as stream:
            types = [e.type for e in stream]
            final = stream.get_final_response()
        assert types[:2] == ["response.created", "response.in_progress"] and types[-1] == "response.completed"
        assert final.output_text == "hi there" and final.usage.total_tokens == 14
        [call] = client.responses.create(model="m", input="y").output
        assert (call.type, call.call_id, json.loads(call.arguments)) == ("function_call", "call_1", {"a": 1})
        [first, second] = server.responses_requests()
        assert first["body"]["stream"] is True and second["body"]["input"] == "y"
        assert first["headers"]["authorization"] == "Bearer sk-secret"


def load(name: str) -> list[dict]:
    fixture = json.loads((FIXTURES / name).read_text())
    for request in fixture["requests"]:
        assert request["headers"]["authorization"] == "<redacted>"
        assert request["path"] == "/v1/responses"
    return fixture["requests"]


def test_codex_fixtures_hold_its_shell_tool_and_a_tool_round_trip():
    [first] = load("codex_exec_request.json")
    body = first["body"]
    assert body["stream"] is True and body["store"] is False and body["tool_choice"] == "auto"
    assert "exec_command" in [t.get("name") for t in body["tools"] if t["type"] == "function"]
    assert {"developer", "user"} <= {i["role"] for i in body["input"] if i.get("type") == "message"}
    _, follow_up = load("codex_exec_tool_request.json")
    items = follow_up["body"]["input"]
    [call] = [i for i in items if i["type"] == "function_call"]
    [output] = [i for i in items if i["type"] == "function_call_output"]
    assert call["name"] == "exec_command" and output["call_id"] == call["call_id"]


def test_agents_sdk_fixture_holds_a_tool_round_trip():
    first, second = load("agents_sdk_request.json")
    assert "stream" not in first["body"] and first["body"]["instructions"]
    assert [t["name"] for t in first["body"]["tools"]] == ["write_marker"]
    types = [i.get("type", "message") for i in second["body"]["input"]]
    assert types == ["message", "function_call", "function_call_output"]

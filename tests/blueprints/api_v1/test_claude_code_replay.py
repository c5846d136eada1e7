"""The recorded request shape of a real Claude Code session (streaming, 26
tools, max_tokens 64000, adaptive thinking, output_config, cached system
blocks, a mid-conversation system message, anthropic-beta headers) replayed
against Tollgate and an OpenAI-format upstream."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from services.relay.sse import SSEBuffer, parse_event
from tests.blueprints.api_v1.anthropic_stack import CAP, seed
from tests.fakes.upstream_client import directive
from tests.support.stack import Stack

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "claude_code_request.json"
HEADERS = {
    "anthropic-version": "2023-06-01",
    "anthropic-beta": "claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,"
                      "context-management-2025-06-27,prompt-caching-scope-2026-01-05,"
                      "mid-conversation-system-2026-04-07,effort-2025-11-24",
    "x-app": "cli",
    "user-agent": "claude-cli/2.1.197 (external, sdk-cli)",
    "anthropic-dangerous-direct-browser-access": "true",
}
ANTHROPIC_ONLY = ("cache_control", "thinking", "context_management", "output_config", "metadata",
                  "stop_sequences", "anthropic_beta")


@pytest.fixture(scope="module")
def cstack(sqlite_databases, fake_upstream):
    stack = Stack(sqlite_databases.new(), name="claude-code-replay")
    seed(stack, fake_upstream.base_url_v1)
    yield stack
    stack.stop()


def events_of(raw: bytes) -> list[tuple[str, dict]]:
    out = []
    for block in SSEBuffer().feed(raw):
        name, data = parse_event(block)
        if data is not None:
            out.append((name, json.loads(data)))
    return out


def check_anthropic_stream(events: list[tuple[str, dict]]) -> None:
    names = [n for n, _ in events if n != "ping"]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    open_blocks, next_index = {}, 0
    for name, data in events:
        assert data["type"] == name
        if name == "content_block_start":
            assert data["index"] == next_index and not open_blocks
            open_blocks[data["index"]] = data["content_block"]["type"]
            next_index += 1
        elif name == "content_block_delta":
            kind = open_blocks[data["index"]]
            allowed = {"text": {"text_delta"}, "thinking": {"thinking_delta", "signature_delta"},
                       "tool_use": {"input_json_delta"}}[kind]
            assert data["delta"]["type"] in allowed
        elif name == "content_block_stop":
            open_blocks.pop(data["index"])
    assert not open_blocks
    final = [d for n, d in events if n == "message_delta"][-1]
    assert final["delta"]["stop_reason"] and final["usage"]["output_tokens"] > 0
    assert final["usage"]["input_tokens"] > 0


@pytest.mark.parametrize("reply", [
    {"reply": "I'll look at the file.", "reasoning": "The user wants a review."},
    {"reply": "Running it.", "tools": [{"name": "Bash", "arguments": {"command": "ls -la", "description": "List"}}]},
])
def test_claude_code_request_round_trip(cstack, upstream, reply):
    body = json.loads(FIXTURE.read_text())
    body["messages"][-1]["content"].append({"type": "text", "text": directive(**reply)})
    raw_key, _, account = cstack.new_key(1_000_000_000)
    response = requests.post(cstack.url + "/v1/messages?beta=true", json=body, timeout=60, stream=True,
                             headers={**HEADERS, "x-api-key": raw_key})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = events_of(response.content)
    check_anthropic_stream(events)
    assert events[0][1]["message"]["model"] == "claude-opus-4-8"

    sent = upstream.last_request()
    assert sent["path"] == "/v1/chat/completions"
    assert "anthropic-beta" not in sent["headers"]
    upstream_body = sent["body"]
    assert upstream_body["model"] == "deepseek-chat"
    assert upstream_body["max_tokens"] == CAP  # 64000 clamped
    assert upstream_body["stream"] is True and upstream_body["stream_options"] == {"include_usage": True}
    dumped = json.dumps(upstream_body)
    for field in ANTHROPIC_ONLY:
        assert f'"{field}"' not in dumped, field
    assert len(upstream_body["tools"]) == 26
    assert all(t["type"] == "function" and len(t["function"]["name"]) <= 64 for t in upstream_body["tools"])
    messages = upstream_body["messages"]
    assert messages[0]["role"] == "system"
    called = {c["id"] for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []}
    answered = {m["tool_call_id"] for m in messages if m["role"] == "tool"}
    assert called and called == answered
    assert isinstance(upstream_body.get("user"), str) and len(upstream_body["user"]) <= 64
    assert cstack.verify() == []
    assert cstack.logs(account)[-1].status == 200


def test_the_same_request_non_streaming_for_clients_that_fall_back(cstack, upstream):
    body = json.loads(FIXTURE.read_text())
    body["stream"] = False
    raw_key, _, _ = cstack.new_key(1_000_000_000)
    response = requests.post(cstack.url + "/v1/messages?beta=true", json=body, timeout=60,
                             headers={**HEADERS, "x-api-key": raw_key})
    assert response.status_code == 200
    message = response.json()
    assert message["type"] == "message" and message["content"][0]["type"] == "text"
    assert message["usage"]["input_tokens"] > 0

"""The OpenAI Agents SDK through Tollgate: an `Agent` with a function tool on
the SDK's default model class (the Responses API, /v1/responses), served by a
chat-only channel on the fake upstream. The run is a process of its own
(tests/support/agents_run.py) configured as docs/api.md tells users:
OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_AGENTS_DISABLE_TRACING=1."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.fakes.upstream_client import directive
from tests.support.servers import REPO

CREDITS = 10_000_000


def run_agent(stack, key: str, prompt: str, marker, suffix: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update({"OPENAI_BASE_URL": stack.base_url, "OPENAI_API_KEY": key, "OPENAI_AGENTS_DISABLE_TRACING": "1",
                "NO_PROXY": "127.0.0.1"})
    return subprocess.run([sys.executable, "-m", "tests.support.agents_run", "fake-model", prompt, str(marker), suffix],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_agent_calls_its_tool_then_answers(stack, upstream, tmp_path):
    key, _, account = stack.new_key(CREDITS)
    # The tool's answer carries the directive of the second turn (later directives win).
    prompt = "Write the marker. " + directive(reply="", tools=[{"name": "write_marker",
                                                               "arguments": {"text": "AGENT-MARKER"}}])
    result = run_agent(stack, key, prompt, tmp_path / "marker.txt", directive(reply="AGENT-DONE", tools=[]))
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout.splitlines()[-1])
    assert run["final_output"] == "AGENT-DONE"
    assert run["tool_calls"] == [{"text": "AGENT-MARKER"}]
    assert (tmp_path / "marker.txt").read_text() == "AGENT-MARKER"
    assert run["usage"]["requests"] == 2 and run["usage"]["input_tokens"] > 0 and run["usage"]["output_tokens"] > 0

    first, second = upstream.requests()
    assert first["path"] == second["path"] == "/v1/chat/completions"
    assert first["body"]["messages"][0] == {"role": "system", "content": "Use the tool when asked."}
    assert [t["function"]["name"] for t in first["body"]["tools"]] == ["write_marker"]
    [call] = [c for m in second["body"]["messages"] if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    assert json.loads(call["function"]["arguments"]) == {"text": "AGENT-MARKER"}
    [output] = [m for m in second["body"]["messages"] if m["role"] == "tool"]
    assert output["tool_call_id"] == call["id"] and "wrote AGENT-MARKER" in json.dumps(output["content"])

    logs = stack.logs(account)
    assert [(log.status, log.model) for log in logs] == [(200, "fake-model")] * 2
    assert all(log.credits > 0 for log in logs)
    assert stack.balance(account) == CREDITS - sum(log.credits for log in logs)
    assert stack.verify() == []

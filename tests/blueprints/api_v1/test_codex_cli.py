"""Codex CLI itself through Tollgate's /v1/responses to a chat-only channel on
the fake upstream: `codex exec` prints the upstream's answer, and a shell tool
round trip (Codex runs the command and sends its output back) works.

Runs when the CLI is installed: `make codex` (npm) puts it in
.tools/node_modules/.bin/, and `make test` tries that first. The config.toml
is the one docs/api.md tells users to write (tests/support/codex.py)."""
from __future__ import annotations

import json

import pytest

from tests.blueprints.api_v1.conftest import seed
from tests.fakes.upstream_client import directive
from tests.support.codex import CLI, codex_exec
from tests.support.stack import Stack

pytestmark = pytest.mark.slow
CREDITS = 10_000_000_000
SHELL_TOOL = "exec_command"  # Codex's shell tool (tests/fixtures/codex_exec_request.json); argument `cmd`


@pytest.fixture(scope="module")
def cli_stack(sqlite_databases, fake_upstream):
    if CLI is None:
        pytest.skip("the Codex CLI is not installed (make codex)")
    stack = Stack(sqlite_databases.new(), name="codex-cli")
    seed(stack, fake_upstream.base_url_v1)  # fake-model on the chat-only "fake" channel
    yield stack
    stack.stop()


def charged(stack, account: int, calls: int) -> list:
    logs = stack.logs(account)
    assert len(logs) == calls, [(log.status, log.model) for log in logs]
    for log in logs:
        assert (log.status, log.model) == (200, "fake-model") and log.credits > 0
    assert stack.balance(account) == CREDITS - sum(log.credits for log in logs)
    assert stack.verify() == []
    return logs


def test_codex_exec_shows_the_upstream_answer(cli_stack, upstream, tmp_path):
    key, _, account = cli_stack.new_key(CREDITS)
    upstream.configure(reply="PONG-THROUGH-TOLLGATE")  # Codex's own prompt carries no directive
    result = codex_exec(cli_stack.base_url, key, tmp_path, "Say pong.")
    assert result.returncode == 0, result.stderr
    assert "PONG-THROUGH-TOLLGATE" in result.stdout
    assert (tmp_path / "last-message.txt").read_text().strip() == "PONG-THROUGH-TOLLGATE"
    [sent] = upstream.requests()
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["stream"] is True
    roles = [m["role"] for m in sent["body"]["messages"]]
    assert roles[0] == "system" and "developer" not in roles and roles.count("system") == 1  # folded
    assert any(t["function"]["name"] == SHELL_TOOL for t in sent["body"]["tools"])
    charged(cli_stack, account, 1)


def test_codex_runs_a_shell_command_and_sends_its_output_back(cli_stack, upstream, tmp_path):
    key, _, account = cli_stack.new_key(CREDITS)
    # First upstream call: the directive of the prompt asks for a tool call.
    # The command's output carries the next directive (later ones win), so the
    # second call, which has the output as a tool message, answers text.
    after = directive(reply="SHELL-ROUND-TRIP-OK", tools=[])
    command = f"echo CODEX-RAN > marker.txt && echo '{after}'"
    prompt = "Run the command. " + directive(reply="", tools=[{"name": SHELL_TOOL, "arguments": {"cmd": command}}])
    result = codex_exec(cli_stack.base_url, key, tmp_path, prompt)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "marker.txt").read_text().strip() == "CODEX-RAN"  # the command really ran
    assert "SHELL-ROUND-TRIP-OK" in result.stdout
    first, second = upstream.requests()
    assert first["body"]["messages"][-1]["role"] == "user"
    messages = second["body"]["messages"]
    [call] = [c for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    assert call["function"]["name"] == SHELL_TOOL and json.loads(call["function"]["arguments"]) == {"cmd": command}
    [output] = [m for m in messages if m["role"] == "tool"]
    assert output["tool_call_id"] == call["id"] and "SHELL-ROUND-TRIP-OK" in json.dumps(output["content"])
    charged(cli_stack, account, 2)

"""Claude Code itself through Tollgate to the fake upstream: `claude -p`
prints the upstream's answer, and a Bash tool round trip works.

Runs when the CLI is installed: `make claude-code` (npm) puts it in
.tools/node_modules/.bin/, and `make test` tries that first."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.blueprints.api_v1.anthropic_stack import seed
from tests.fakes.upstream_client import directive
from tests.support.servers import REPO
from tests.support.stack import Stack

pytestmark = pytest.mark.slow
LOCAL_CLI = REPO / ".tools" / "node_modules" / ".bin" / "claude"
CLI = str(LOCAL_CLI) if LOCAL_CLI.exists() else shutil.which("claude")


@pytest.fixture(scope="module")
def cli_stack(sqlite_databases, fake_upstream):
    if CLI is None:
        pytest.skip("the Claude Code CLI is not installed (make claude-code)")
    stack = Stack(sqlite_databases.new(), name="claude-code-cli")
    seed(stack, fake_upstream.base_url_v1)  # claude-opus-* (Claude Code's default) -> deepseek-chat
    yield stack
    stack.stop()


def claude(stack, key: str, home, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANTHROPIC_BASE_URL": stack.url, "ANTHROPIC_API_KEY": key, "HOME": str(home),
           "DISABLE_TELEMETRY": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    return subprocess.run([CLI, *args], env=env, cwd=home, capture_output=True, text=True, timeout=180)


def test_claude_print_mode_shows_the_upstream_answer(cli_stack, upstream, tmp_path):
    key, _, account = cli_stack.new_key(10_000_000_000)
    result = claude(cli_stack, key, tmp_path, "-p", "hi " + directive(reply="PONG-THROUGH-TOLLGATE"))
    assert result.returncode == 0, result.stderr
    assert "PONG-THROUGH-TOLLGATE" in result.stdout
    assert upstream.last_request()["path"] == "/v1/chat/completions"
    log = cli_stack.logs(account)[-1]
    assert (log.door, log.status, log.model) == ("anthropic", 200, "deepseek-chat") and log.credits > 0
    assert cli_stack.verify() == []


def test_claude_runs_a_tool_and_sends_its_result_back(cli_stack, upstream, tmp_path):
    key, _, _ = cli_stack.new_key(10_000_000_000)
    # The command's output carries the next directive, so the upstream's
    # second answer (after the tool result) is plain text.
    command = "echo '" + directive(reply="TOOL-ROUND-TRIP-OK", tools=[]) + "'"
    prompt = "run it " + directive(reply="", tools=[{"name": "Bash", "arguments": {"command": command,
                                                                                   "description": "echo"}}])
    result = claude(cli_stack, key, tmp_path, "-p", prompt, "--allowedTools", "Bash(echo:*)",
                    "--output-format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["result"] == "TOOL-ROUND-TRIP-OK"
    second = upstream.last_request()["body"]["messages"]
    tool_messages = [m for m in second if m["role"] == "tool"]
    assert tool_messages and "TOOL-ROUND-TRIP-OK" in tool_messages[-1]["content"]

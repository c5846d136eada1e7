"""Gemini CLI itself through Tollgate's Gemini door to a chat-only channel on
the fake upstream: `gemini -p` prints the upstream's answer, and a tool
round trip (the CLI reads the file it was asked about and sends its content
back) works. GEMINI_API_KEY is a Tollgate key, GOOGLE_GEMINI_BASE_URL the
site's address (no /v1beta); the CLI's utility calls ask for Gemini model
names, which the operator's alias `gemini-*` maps to the registry model.

Runs when the CLI is installed: `make gemini-cli` (npm) puts it in
.tools/node_modules/.bin/, and `make test` tries that first."""
from __future__ import annotations

import pytest

from tests.blueprints.api_v1.conftest import seed
from tests.fakes.upstream_client import directive
from tests.support.gemini_cli import CLI, gemini_run
from tests.support.stack import Stack

pytestmark = pytest.mark.slow
CREDITS = 10_000_000_000


@pytest.fixture(scope="module")
def cli_stack(sqlite_databases, fake_upstream):
    if CLI is None:
        pytest.skip("the Gemini CLI is not installed (make gemini-cli; npm or its registry was not reachable)")
    stack = Stack(sqlite_databases.new(), name="gemini-cli")
    seed(stack, fake_upstream.base_url_v1)  # fake-model on the chat-only "fake" channel
    with stack.app.app_context():
        result = stack.app.test_cli_runner().invoke(args=["model", "alias", "gemini-*", "fake-model"])
    assert result.exit_code == 0, result.output
    yield stack
    stack.stop()


def charged(stack, account: int) -> list:
    logs = stack.logs(account)
    assert logs, "no request reached Tollgate"
    for log in logs:
        assert (log.status, log.door, log.model) == (200, "gemini", "fake-model") and log.credits > 0
    assert stack.balance(account) == CREDITS - sum(log.credits for log in logs)
    assert stack.verify() == []
    return logs


def test_gemini_cli_prints_the_upstream_answer(cli_stack, upstream, tmp_path):
    key, _, account = cli_stack.new_key(CREDITS)
    upstream.configure(reply="PONG-THROUGH-TOLLGATE")  # the CLI's own prompt carries no directive
    result = gemini_run(cli_stack.url, key, tmp_path, "Say pong.")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "PONG-THROUGH-TOLLGATE" in result.stdout
    sent = upstream.requests()
    assert all(r["path"] == "/v1/chat/completions" for r in sent)
    assert any(r["body"].get("stream") for r in sent)
    logs = charged(cli_stack, account)
    assert any(log.stream for log in logs)


def test_gemini_cli_reads_a_file_and_sends_its_content_back(cli_stack, upstream, tmp_path):
    key, _, account = cli_stack.new_key(CREDITS)
    notes = tmp_path / "notes.txt"
    # The file's content carries the next directive: the second call, with
    # the content as a tool message, answers text.
    notes.write_text("The secret is 42. " + directive(reply="FILE-ROUND-TRIP-OK", tools=[]))
    prompt = "What does notes.txt say? " + directive(
        reply="", tools=[{"name": "read_file", "arguments": {"file_path": str(notes)}}])
    result = gemini_run(cli_stack.url, key, tmp_path, prompt)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FILE-ROUND-TRIP-OK" in result.stdout
    turns = [r["body"] for r in upstream.requests() if any(m["role"] == "tool" for m in r["body"]["messages"])]
    assert turns, "the file's content never came back"
    messages = turns[-1]["messages"]
    [call] = [c for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    [output] = [m for m in messages if m["role"] == "tool"]
    assert call["function"]["name"] == "read_file" and output["tool_call_id"] == call["id"]
    assert "The secret is 42." in output["content"]
    charged(cli_stack, account)

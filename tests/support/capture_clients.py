"""Regenerates the fixtures of what real Responses clients send (tests/fixtures/README.md):

    .venv/bin/python -m tests.support.capture_clients [codex] [agents]

Each client is pointed at tests/support/responses_recorder.py, which records
the requests and answers a minimal valid Responses stream or JSON. Keys are
redacted; the throwaway working directory is replaced by /tmp/work.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.codex import CLI, codex_exec
from tests.support.responses_recorder import ResponsesRecorder, function_call, redact_headers, text
from tests.support.servers import REPO

FIXTURES = REPO / "tests" / "fixtures"
KEY = "sk-capture-0123456789abcdef"
WORKDIR = "/tmp/work"
CODEX_SHELL_TOOL = "exec_command"  # Codex 0.171's shell tool; its argument is `cmd`


def _clean(value, workdir: str):
    """The recording with the key and the throwaway directory replaced."""
    raw = json.dumps(value).replace(KEY, "<redacted>").replace(workdir, WORKDIR)
    return json.loads(raw)


def _save(name: str, client: str, version: str, recorder: ResponsesRecorder, workdir: str) -> Path:
    requests = [{**r, "headers": redact_headers(r["headers"])} for r in recorder.responses_requests()]
    for r in requests:
        r["headers"].pop("host", None)
        r["headers"].pop("content-length", None)
    payload = {"client": client, "version": version,
               "captured_by": "python -m tests.support.capture_clients (tests/fixtures/README.md)",
               "requests": _clean(requests, workdir)}
    path = FIXTURES / name
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
    return path


def codex_version() -> str:
    return subprocess.run([CLI, "--version"], capture_output=True, text=True).stdout.strip()


def capture_codex() -> list[Path]:
    if CLI is None:
        raise SystemExit("Codex CLI is not installed (make codex)")
    out = []
    work = Path(tempfile.mkdtemp(prefix="capture-codex-"))
    with ResponsesRecorder([text("Hello from the recorder.")]) as server:
        result = codex_exec(server.base_url, KEY, work, "Say hello.")
        assert result.returncode == 0, result.stderr
        out.append(_save("codex_exec_request.json", "codex exec", codex_version(), server, str(work)))
    work = Path(tempfile.mkdtemp(prefix="capture-codex-"))
    command = "echo CAPTURE-MARKER > marker.txt && cat marker.txt"
    with ResponsesRecorder([function_call(CODEX_SHELL_TOOL, {"cmd": command}), text("Done.")]) as server:
        result = codex_exec(server.base_url, KEY, work, "Write a marker file with the shell.")
        assert result.returncode == 0, result.stderr
        assert (work / "marker.txt").read_text().strip() == "CAPTURE-MARKER", "Codex did not run the command"
        assert len(server.responses_requests()) == 2, server.requests
        out.append(_save("codex_exec_tool_request.json", "codex exec", codex_version(), server, str(work)))
    return out


def capture_agents() -> list[Path]:
    from importlib.metadata import version

    work = Path(tempfile.mkdtemp(prefix="capture-agents-"))
    answers = [function_call("write_marker", {"text": "AGENT-MARKER"}), text("The marker is written.")]
    with ResponsesRecorder(answers) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env.update({"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY,
                    "OPENAI_AGENTS_DISABLE_TRACING": "1", "NO_PROXY": "127.0.0.1"})
        result = subprocess.run([sys.executable, "-m", "tests.support.agents_run", "gpt-4.1-mini",
                                 "Write the marker AGENT-MARKER.", str(work / "marker.txt")],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.splitlines()[-1])["final_output"] == "The marker is written."
        return [_save("agents_sdk_request.json", "openai-agents", version("openai-agents"), server, str(work))]


def main(argv: list[str]) -> int:
    which = set(argv) or {"codex", "agents"}
    paths = (capture_codex() if "codex" in which else []) + (capture_agents() if "agents" in which else [])
    for path in paths:
        print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

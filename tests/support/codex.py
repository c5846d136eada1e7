"""Running Codex CLI (`codex exec`) against a Responses server: Tollgate, or the
recorder in tests/support/responses_recorder.py.

Installed by `make codex` (npm) into .tools/node_modules/.bin/; `make test`
tries that first. Codex reads $CODEX_HOME/config.toml; each run gets a fresh
CODEX_HOME with a custom provider, so nothing from the machine leaks in.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.servers import REPO

LOCAL_CLI = REPO / ".tools" / "node_modules" / ".bin" / "codex"
CLI = str(LOCAL_CLI) if LOCAL_CLI.exists() else shutil.which("codex")
KEY_ENV = "TOLLGATE_API_KEY"


def config_toml(base_url: str, model: str, context_window: int = 32000) -> str:
    """The config.toml a Tollgate user writes (docs/api.md, "Responses API")."""
    return f'''model = "{model}"
model_provider = "tollgate"
model_context_window = {context_window}
approval_policy = "never"
sandbox_mode = "danger-full-access"

[model_providers.tollgate]
name = "Tollgate"
base_url = "{base_url}"
env_key = "{KEY_ENV}"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false

[otel]
exporter = "none"
'''


def codex_exec(base_url: str, key: str, workdir: Path, prompt: str, *, model: str = "fake-model",
               home: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`codex exec` in ``workdir`` with a fresh CODEX_HOME; commands run without asking.
    The last agent message is also written to ``workdir/last-message.txt``."""
    if CLI is None:
        raise RuntimeError("Codex CLI is not installed (make codex)")
    home = home or workdir / ".codex-home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(config_toml(base_url, model))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CODEX_"))}
    env.update({"CODEX_HOME": str(home), KEY_ENV: key, "HOME": str(home), "NO_COLOR": "1",
                "RUST_LOG": "error", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    args = [CLI, "exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox",
            "--ephemeral", "--color", "never", "-C", str(workdir),
            "-o", str(workdir / "last-message.txt"), prompt]
    return subprocess.run(args, env=env, cwd=workdir, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)

"""Running Gemini CLI (`gemini -p`) against Tollgate's Gemini door.

Installed by `make gemini-cli` (npm) into .tools/node_modules/.bin/; `make
test` tries that first. Each run gets a fresh HOME holding the
~/.gemini/settings.json docs/api.md tells users to write: with
GOOGLE_GEMINI_BASE_URL set the CLI's auth type would be "gateway", which
non-interactive runs refuse ("Invalid auth method selected."), so the
settings select the API-key auth; the base URL still applies."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.support.servers import REPO

LOCAL_CLI = REPO / ".tools" / "node_modules" / ".bin" / "gemini"
CLI = str(LOCAL_CLI) if LOCAL_CLI.exists() else shutil.which("gemini")
SETTINGS = {"security": {"auth": {"selectedType": "gemini-api-key"}},
            "privacy": {"usageStatisticsEnabled": False}, "general": {"disableAutoUpdate": True}}


def gemini_run(site_url: str, key: str, workdir: Path, prompt: str, *, model: str = "fake-model",
               timeout: float = 180) -> subprocess.CompletedProcess:
    """`gemini -p PROMPT` in ``workdir``, tools allowed without asking (--yolo)."""
    if CLI is None:
        raise RuntimeError("Gemini CLI is not installed (make gemini-cli)")
    home = workdir / ".gemini-home"
    (home / ".gemini").mkdir(parents=True, exist_ok=True)
    (home / ".gemini" / "settings.json").write_text(json.dumps(SETTINGS))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_"))}
    env.update({"HOME": str(home), "GEMINI_API_KEY": key, "GOOGLE_GEMINI_BASE_URL": site_url, "NO_COLOR": "1",
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "CI": "1",
                "GEMINI_CLI_TRUST_WORKSPACE": "true"})  # headless runs refuse an untrusted folder
    return subprocess.run([CLI, "-p", prompt, "-m", model, "--yolo"], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)

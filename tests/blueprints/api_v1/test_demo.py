"""The newcomer's path: after `make run` seeds the demo, the README's first
request works with no provider key anywhere."""
from __future__ import annotations

import os
import subprocess
import sys

from openai import OpenAI

from tests.support.servers import REPO
from tests.support.stack import SECRET_KEY


def test_demo_model_answers_and_is_billed(stack):
    env = {**os.environ, "TOLLGATE_ENV": "testing", "DATABASE_URL": stack.db_url, "SECRET_KEY": SECRET_KEY,
           "TOLLGATE_INSTANCE_DIR": stack.instance_dir}
    seeded = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "demo", "seed"], cwd=REPO, env=env,
                            capture_output=True, text=True, check=True)
    key = seeded.stdout.strip().splitlines()[-1]
    client = OpenAI(api_key=key, base_url=stack.base_url, max_retries=0)
    reply = client.chat.completions.create(model="tollgate-demo", messages=[{"role": "user", "content": "Hello!"}])
    assert "demo model" in reply.choices[0].message.content and "Hello!" in reply.choices[0].message.content
    assert reply.usage.model_extra["credits"] > 0
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="tollgate-demo", stream=True, messages=[{"role": "user", "content": "Hello!"}]) if c.choices)
    assert streamed == reply.choices[0].message.content
    assert "tollgate-demo" in {m.id for m in client.models.list()}

"""Every variable in the configuration tables of README.md and
docs/storefront.md is read: setting it in the environment changes the app's
config. Config classes read the environment when config.py is imported, so a
separate Python process reloads it and builds the app once per variable."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import config
from tests.support.servers import REPO

DOCUMENTS = ("README.md", "docs/storefront.md")
# `make run`'s own variables, not the app's.
MAKE_VARIABLES = {"PORT", "WORKERS"}
# Read by the gunicorn master (gunicorn.conf.py) before any app exists.
SERVER_VARIABLES = {"PROMETHEUS_MULTIPROC_DIR"}
# A value unlike the default that the app accepts; otherwise VALUE.
VALUES = {
    "TOLLGATE_ENV": "testing",  # the baseline is development
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgresql://tollgate@db.example/tollgate",
    "REDIS_URL": "redis://127.0.0.1:6399/0",
    "SITE_URL": "https://relay.example.com",
    "UPSTREAM_ALLOWED_NETWORKS": "10.0.0.0/8",
    "PAYMENT_PROVIDER": "alipay",  # development's default is dev
    "ALIPAY_GATEWAY": "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
    "ALIPAY_NOTIFY_URL": "https://relay.example.com/pay/alipay/notify",
    "SIGNIN_LIMIT_PER_IP": "3 per minute",
    "SIGNIN_LIMIT_PER_EMAIL": "3 per minute",
    "REGISTER_LIMIT_PER_IP": "3 per minute",
    "MAIL_FROM": "shop@example.com",
    "METRICS_ALLOW_NETWORKS": "10.0.0.0/8",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "WARNING",
}
VALUE = "7"  # numbers, names, and "off" for the flags that default to on

PROBE = r"""
import importlib, json, os, sys

cases = json.load(sys.stdin)
base = dict(os.environ)
import config
from app import create_app

def snapshot():
    importlib.reload(config)
    return {k: repr(v) for k, v in create_app().config.items()}

before = snapshot()
changed = {}
for name, value in cases:
    os.environ.clear()
    os.environ.update(base, **{name: value})
    after = snapshot()
    changed[name] = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
print(json.dumps(changed))
"""


def documented_variables() -> dict[str, str]:
    """Variable name -> the document whose table names it. A `PREFIX_*`
    entry stands for every setting config.py has with that prefix."""
    found = {}
    for doc in DOCUMENTS:
        in_table = False
        for line in (REPO / doc).read_text().splitlines():
            if re.match(r"\|\s*variable\s*\|", line):
                in_table = True
            elif in_table and not line.startswith("|"):
                in_table = False
            elif in_table:
                first = line.split("|")[1]
                for name in re.findall(r"`([A-Z][A-Z0-9_]*\*?)`", first):
                    if name.endswith("*"):
                        expanded = [n for n in vars(config.Config) if n.startswith(name[:-1])]
                        assert expanded, f"{doc}: nothing in config.py matches {name}"
                        found.update(dict.fromkeys(expanded, doc))
                    else:
                        found[name] = doc
    return found


def test_the_tables_are_found():
    names = documented_variables()
    # One from each table, so a reworded header cannot empty the test.
    assert {"TOLLGATE_ENV", "SESSION_DAYS", "BREAKER_FAILURES", "ALIPAY_APP_ID", "ORDER_TTL_SECONDS"} <= set(names)


def test_make_variables_are_the_makefiles():
    makefile = (REPO / "Makefile").read_text()
    for name in MAKE_VARIABLES:
        assert re.search(rf"^{name} \?=", makefile, re.M), name


def test_server_variables_are_gunicorns():
    conf = (REPO / "gunicorn.conf.py").read_text()
    for name in SERVER_VARIABLES:
        assert f'os.environ.get("{name}")' in conf, name


def test_every_documented_variable_changes_the_app_config(tmp_path):
    names = documented_variables()
    app_names = sorted(set(names) - MAKE_VARIABLES - SERVER_VARIABLES)
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("ALIPAY_")}
    env.update(TOLLGATE_ENV="development", TOLLGATE_INSTANCE_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'settings.db'}")
    cases = [(name, VALUES.get(name, VALUE)) for name in app_names]
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env, input=json.dumps(cases),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    changed = json.loads(done.stdout.strip().splitlines()[-1])
    unread = [f"{name} ({names[name]})" for name in app_names if not changed[name]]
    assert unread == [], "documented but not read from the environment: " + ", ".join(unread)

"""The operator commands. Most run in this process through Click's test
runner, on the same app the assertions read (a `flask` process spends
seconds importing); the help of every command and `key create`'s output run
as an operator runs them: `flask --app app ...` in a process of its own."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from sqlalchemy import update

from extensions import db
from models import Account, Channel
from services.catalog.dialects import DIALECTS
from services.catalog.snapshot import load_catalog
from services.identity.keys import authenticate
from tests.support.servers import REPO
from tests.support.stack import SECRET_KEY, make_app, migrate


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def database(tmp_path):
    url = "sqlite:///" + str(tmp_path / "cli.db")
    app = make_app(url)
    migrate(app)
    app.instance_path = str(tmp_path / "instance")
    return url, app


@pytest.fixture
def cli(database):
    """`cli("key", "create", ...)` as `flask --app app key create ...`,
    in this process; `cli.app` reads the same database."""
    _, app = database
    runner = app.test_cli_runner()

    def run(*args, check=True) -> Ran:
        with app.app_context():  # as `flask` gives every command
            result = runner.invoke(args=list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        ran = Ran(result.exit_code, result.stdout, result.stderr)
        if check and ran.returncode != 0:
            raise AssertionError(f"{args} failed: {ran.stdout}{ran.stderr}")
        return ran

    run.app = app
    return run


@pytest.fixture
def flask_process(database):
    """The same commands in a `flask` process, as an operator types them;
    `cli.app` reads what they wrote."""
    url, app = database
    env = {**os.environ, "TOLLGATE_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
           "TOLLGATE_INSTANCE_DIR": app.instance_path}

    def run(*args) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{args} failed: {result.stdout}{result.stderr}"
        return result

    return run


def test_every_command_has_help(flask_process, cli):
    commands = [("channel", "add"), ("channel", "edit"), ("model", "set"), ("key", "create"), ("ledger", "verify"),
                ("ledger", "sweep"), ("account", "adjust"), ("demo", "seed"), ("admin", "create")]
    listing = flask_process("--help").stdout
    for group in {group for group, _ in commands}:
        assert group in listing, group
    for group, command in commands:
        out = cli(group, command, "--help").stdout
        assert "Usage:" in out and f"{group} {command}" in out, (group, command)


def test_channel_add_stores_an_encrypted_secret_and_the_map(cli):
    out = cli("channel", "add", "deepseek", "--provider", "openai", "--base-url", "https://api.deepseek.com/v1",
              "--api-key", "sk-real-upstream-key-123456", "--models", "deepseek-chat,ds-r1",
              "--map", "ds-r1=deepseek-reasoner").stdout
    assert "deepseek" in out and "sk-real" not in out
    assert "has no price yet" in out
    with cli.app.app_context():
        channel = db.session.scalar(db.select(Channel))
        assert channel.models == ["deepseek-chat", "ds-r1"]
        assert channel.model_map == {"ds-r1": "deepseek-reasoner"}
        assert "sk-real" not in channel.api_key_encrypted
        info = load_catalog().channels_for("ds-r1")[0]
        assert info.api_key == "sk-real-upstream-key-123456"
        assert info.upstream_name("ds-r1") == "deepseek-reasoner"
        assert "sk-real" not in repr(info)
    assert "sk-real" not in cli("channel", "list").stdout


def test_channel_add_rejects_bad_input(cli):
    assert cli("channel", "add", "x", "--provider", "nope", "--models", "m", check=False).returncode != 0
    bad = cli("channel", "add", "x", "--provider", "openai", "--base-url", "ftp://h", "--models", "m", check=False)
    assert bad.returncode != 0 and "http" in bad.stderr
    assert cli("channel", "add", "x", "--provider", "openai", "--base-url", "https://h/v1", "--models", "m",
               "--map", "broken", check=False).returncode != 0


def test_channel_speaks_on_add_edit_list_and_help(cli):
    for out in (cli("channel", c, "--help").stdout for c in ("add", "edit")):
        flat = " ".join(out.split())
        assert "--speaks" in out
        assert ", ".join(DIALECTS) in flat, out
    out = cli("channel", "add", "both", "--provider", "openai", "--base-url", "https://api.example.com/v1",
              "--models", "m1", "--speaks", "openai.chat,openai.responses").stdout
    assert "speaks openai.chat,openai.responses" in out
    cli("channel", "add", "plain", "--provider", "openai", "--base-url", "https://api.example.com/v1",
        "--models", "m2")
    bad = cli("channel", "add", "x", "--provider", "anthropic", "--base-url", "https://api.example.com",
              "--models", "m3", "--speaks", "openai.chat", check=False)
    assert bad.returncode != 0 and "cannot speak openai.chat" in bad.stderr
    bad = cli("channel", "add", "x", "--provider", "openai", "--base-url", "https://api.example.com/v1",
              "--models", "m3", "--speaks", "openai.nope", check=False)
    assert bad.returncode != 0 and "unknown dialect 'openai.nope'" in bad.stderr and "anthropic.messages" in bad.stderr
    listing = cli("channel", "list").stdout
    assert "speaks openai.chat,openai.responses\n" in listing and "speaks openai.chat*\n" in listing

    out = cli("channel", "edit", "plain", "--speaks", "openai.responses openai.embeddings", "--weight", "3").stdout
    assert "speaks openai.responses,openai.embeddings" in out
    with cli.app.app_context():
        plain = db.session.scalar(db.select(Channel).where(Channel.name == "plain"))
        assert (plain.speaks, plain.weight, plain.models) == ("openai.responses,openai.embeddings", 3, ["m2"])
        assert load_catalog().channels_for("m2")[0].speaks == ("openai.responses", "openai.embeddings")
    cli("channel", "edit", "plain", "--priority", "2")  # --speaks not given: kept
    with cli.app.app_context():
        plain = db.session.scalar(db.select(Channel).where(Channel.name == "plain"))
        assert (plain.speaks, plain.priority, plain.weight) == ("openai.responses,openai.embeddings", 2, 3)
    bad = cli("channel", "edit", "plain", "--speaks", "anthropic.messages", check=False)
    assert bad.returncode != 0 and "cannot speak anthropic.messages" in bad.stderr
    cli("channel", "edit", "plain", "--speaks", "default")
    with cli.app.app_context():
        assert db.session.scalar(db.select(Channel.speaks).where(Channel.name == "plain")) is None
        assert load_catalog().channels_for("m2")[0].speaks == ("openai.chat",)
    assert cli("channel", "edit", "nobody", "--weight", "1", check=False).returncode != 0


def test_model_set_creates_then_updates(cli):
    assert "created" in cli("model", "set", "deepseek-chat", "--input-price", "100", "--output-price", "200",
                            "--display-name", "DeepSeek Chat").stdout
    out = cli("model", "set", "deepseek-chat", "--input-price", "150", "--request-price", "5").stdout
    assert "updated" in out and "input 150" in out and "output 200" in out and "request 5" in out
    assert cli("model", "set", "x", "--input-price", "-1", check=False).returncode != 0


def test_model_set_takes_the_unit_prices(cli):
    out = cli("model", "set", "dall-e-3", "--image-prices", "1024x1024/hd=4000000, 1024x1024=2000000, *=2000000",
              "--category", "image", "--capabilities", "images").stdout
    assert "per image 1024x1024/hd=4000000, 1024x1024=2000000, *=2000000" in out
    out = cli("model", "set", "whisper-1", "--second-price", "5000", "--character-price", "1",
              "--search-unit-price", "2", "--image-input-price", "3").stdout
    assert "per second 5000" in out and "per 1M characters 1" in out and "per search unit 2" in out
    with cli.app.app_context():
        price = load_catalog().models["dall-e-3"].price
        assert price.image == {"1024x1024/hd": 4_000_000, "1024x1024": 2_000_000, "*": 2_000_000}
        assert load_catalog().models["dall-e-3"].capabilities == ("images",)
        whisper = load_catalog().models["whisper-1"].price
        assert (whisper.second, whisper.character, whisper.search_unit, whisper.image_input) == (5000, 1, 2, 3)
    bad = cli("model", "set", "dall-e-3", "--image-prices", "1024x1024/hd=lots", check=False)
    assert bad.returncode != 0 and "not a whole number" in bad.stderr
    assert cli("model", "set", "dall-e-3", "--second-price", "-5", check=False).returncode != 0
    cli("model", "set", "dall-e-3", "--image-prices", "")
    with cli.app.app_context():
        assert load_catalog().models["dall-e-3"].price.image == {}
    assert "--image-prices" in cli("model", "set", "--help").stdout


def test_key_create_prints_the_key_alone_on_the_last_line(flask_process, cli):
    result = flask_process("key", "create", "--name", "ci", "--credits", "5000", "--email", "Buyer@Example.com")
    raw = result.stdout.strip().splitlines()[-1]
    assert raw.startswith("sk-") and " " not in raw
    with cli.app.app_context():
        ctx = authenticate(raw)
        account = db.session.get(Account, ctx.account_id)
        assert account.balance == 5000 and account.email == "buyer@example.com"
    # The same email reuses the account.
    again = cli("key", "create", "--name", "second", "--credits", "1", "--email", "buyer@example.com").stdout
    with cli.app.app_context():
        assert authenticate(again.strip().splitlines()[-1]).account_id == ctx.account_id


def test_ledger_verify_passes_then_names_a_tampered_account(cli):
    cli("key", "create", "--name", "a", "--credits", "100")
    assert "ledger ok" in cli("ledger", "verify").stdout
    with cli.app.app_context():
        account_id = db.session.scalar(db.select(Account.id))
        db.session.execute(update(Account).where(Account.id == account_id).values(balance=99))
        db.session.commit()
    result = cli("ledger", "verify", check=False)
    assert result.returncode == 1
    assert f"account {account_id}" in result.stderr


def test_account_adjust_refuses_to_go_negative(cli):
    cli("key", "create", "--name", "a", "--credits", "100")
    assert cli("account", "adjust", "1", "-500", "--reason", "oops", check=False).returncode != 0
    assert "+50" in cli("account", "adjust", "1", "50", "--reason", "goodwill").stdout
    assert "ledger ok" in cli("ledger", "verify").stdout


def test_demo_seed_is_repeatable_and_its_key_works(cli):
    first = cli("demo", "seed").stdout.strip().splitlines()[-1]
    second = cli("demo", "seed").stdout.strip().splitlines()[-1]
    assert first == second and first.startswith("sk-")
    with cli.app.app_context():
        assert authenticate(first) is not None
        assert load_catalog().model("tollgate-demo") is not None

"""`flask demo seed`: what `make run` needs for a first request to work."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Channel
from services.billing import accounts as account_service
from services.catalog.channels import add_channel
from services.catalog.models import set_model
from services.identity.keys import authenticate, create_key

DEMO_MODEL = "tollgate-demo"
DEMO_CREDITS = 1_000_000_000


@click.group(help="Demo data for local use.")
def demo():
    pass


@demo.command("seed")
@click.option("--only-in-development", is_flag=True,
              help="Outside development, say so and do nothing (what `make run` uses).")
def demo_seed(only_in_development):
    """Create (once) a demo model, a local demo channel, a demo account and key."""
    env = current_app.config["ENV_NAME"]
    if only_in_development and env != "development":
        # `make run` serves production too; a demo key there would be free credits.
        click.echo(f"Not seeding demo data: TOLLGATE_ENV is {env} (demo data is for development only).")
        return
    if env == "production":
        raise click.ClickException("demo data is for development only")
    set_model(DEMO_MODEL, display_name="Tollgate demo (answers locally)", category="chat",
              capabilities=["chat"], owned_by="tollgate", context_window=8192, max_output_tokens=1024,
              input_price=100_000_000, output_price=200_000_000, request_price=0)
    if db.session.scalar(select(Channel).where(Channel.name == "demo")) is None:
        add_channel("demo", "demo", "", None, [DEMO_MODEL])
    key_file = Path(current_app.instance_path) / "demo_key.txt"
    raw = key_file.read_text().strip() if key_file.exists() else ""
    if not raw or authenticate(raw) is None:
        account = account_service.find_or_create_by_email("demo@tollgate.local", "Demo account")
        account_service.grant(account.id, DEMO_CREDITS, kind="adjust", note="demo credits",
                              idempotency_key=f"demo-seed:{account.id}")
        _row, raw = create_key(account.id, "Demo key")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(raw + "\n")
        key_file.chmod(0o600)
    click.echo(f"Demo model: {DEMO_MODEL}   demo key (also in {key_file}):")
    click.echo(raw)

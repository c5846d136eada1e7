"""`flask key ...` and `flask account ...`."""
from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from extensions import db
from models import Account, ApiKey
from models.base import utcnow
from services.billing import accounts as account_service
from services.identity.keys import create_key, disable_key


@click.group(help="API keys.")
def key():
    pass


@key.command("create")
@click.option("--name", required=True, help="A label for the key.")
@click.option("--credits", type=int, default=0, show_default=True, help="Credits to add to the account.")
@click.option("--email", default=None, help="Contact email; reuses that email's account if one exists.")
@click.option("--account-id", type=int, default=None, help="Add the key to this account instead.")
@click.option("--rpm", type=int, default=None, help="Requests per minute (default: DEFAULT_KEY_RPM).")
@click.option("--rpd", type=int, default=None, help="Requests per day (default: DEFAULT_KEY_RPD).")
@click.option("--spend-cap", type=int, default=None, help="Most credits this key may spend.")
@click.option("--models", default=None, help="Comma-separated model allow-list.")
@click.option("--expires-days", type=int, default=None, help="Expire after this many days.")
def key_create(name, credits, email, account_id, rpm, rpd, spend_cap, models, expires_days):
    """Create an account key; the key itself is printed alone on the last line."""
    if credits < 0:
        raise click.BadParameter("must not be negative", param_hint="--credits")
    if account_id is not None:
        account = db.session.get(Account, account_id)
        if account is None:
            raise click.ClickException(f"no account {account_id}")
    elif email:
        account = account_service.find_or_create_by_email(email, name)
    else:
        account = account_service.create_account(name)
    if credits:
        account_service.grant(account.id, credits, kind="adjust", note="granted by `flask key create`")
    allowed = [m.strip() for m in models.split(",") if m.strip()] if models else None
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    row, raw = create_key(account.id, name, spend_cap=spend_cap, expires_at=expires,
                          allowed_models=allowed, rpm=rpm, rpd=rpd)
    db.session.refresh(account)
    click.echo(f"key {row.id} ({row.masked}) on account {account.id}, balance {account.balance} credits")
    click.echo("The key is shown once; store it now:")
    click.echo(raw)


@key.command("list")
def key_list():
    """List keys (masked)."""
    for row in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        click.echo(f"{row.id}\t{row.masked}\t{row.name}\t{row.status}\taccount {row.account_id}\tspent {row.spent}")


@key.command("disable")
@click.argument("key_id", type=int)
def key_disable(key_id):
    """Disable key KEY_ID (refused by /v1 from now on)."""
    if disable_key(key_id) is None:
        raise click.ClickException(f"no key {key_id}")
    click.echo(f"key {key_id} disabled")


@click.group(help="Accounts (wallets).")
def account():
    pass


@account.command("adjust")
@click.argument("account_id", type=int)
@click.argument("credits", type=int)
@click.option("--reason", required=True, help="Why; kept on the ledger entry.")
def account_adjust(account_id, credits, reason):
    """Add (or with a negative number remove) CREDITS on ACCOUNT_ID."""
    from services.billing.ledger import InsufficientCredits

    try:
        # The admin's adjust: the ledger entry and an audit entry (no actor: the shell).
        account_service.adjust(account_id, credits, reason=reason, actor_user_id=None)
    except (account_service.AccountError, InsufficientCredits) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account {account_id}: {credits:+d} credits")

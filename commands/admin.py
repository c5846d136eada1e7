"""`flask admin ...`: the only way to make an operator. No default
credentials exist anywhere."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from extensions import db
from services.identity import users


# An AppGroup gives each command an app context under test_cli_runner too.
@click.group(cls=AppGroup, help="Operators of the admin area.")
def admin():
    pass


@admin.command("create")
@click.argument("email")
@click.option("--password", default=None, help="The password (prompted, hidden, when left out).")
def admin_create(email, password):
    """Make EMAIL an operator: a new user, or an existing user promoted."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    existing = users.find_by_email(email)
    try:
        if existing is None:
            user = users.create_user(email, password, is_admin=True)
            click.echo(f"created operator {user.email} (user {user.id})")
        else:
            users.set_password(existing.id, password)
            existing.is_admin = True
            db.session.commit()
            click.echo(f"promoted {existing.email} (user {existing.id}) to operator; password set")
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from exc


@admin.command("list")
def admin_list():
    """Operators, one per line."""
    from models import User

    for user in User.query.filter_by(is_admin=True).order_by(User.id):
        click.echo(f"{user.id}\t{user.email}")

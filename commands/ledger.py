"""`flask ledger ...`: proving and repairing the books."""
from __future__ import annotations

import sys

import click
from flask import current_app

from services.billing import ledger as ledger_service


@click.group(help="The credit ledger.")
def ledger():
    pass


@ledger.command("verify")
def ledger_verify():
    """Exit non-zero, naming each account, if a balance differs from the sum
    of its ledger entries or is negative."""
    problems = ledger_service.verify()
    for problem in problems:
        click.echo(problem.describe(), err=True)
    if problems:
        sys.exit(1)
    click.echo("ledger ok: every balance equals the sum of its entries and none is negative")


@ledger.command("sweep")
@click.option("--ttl", type=int, default=None, help="Age in seconds (default: HOLD_TTL_SECONDS).")
def ledger_sweep(ttl):
    """Return reservations whose request never settled (a killed worker)."""
    count = ledger_service.sweep(ttl if ttl is not None else current_app.config["HOLD_TTL_SECONDS"])
    click.echo(f"swept {count} stale reservation(s)")

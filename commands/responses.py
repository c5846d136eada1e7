"""`flask responses ...`: the Responses API's store."""
from __future__ import annotations

import click

from services.relay import responses_store


@click.group(help="Responses kept for previous_response_id (RESPONSES_TTL_DAYS).")
def responses():
    pass


@responses.command("purge")
def responses_purge():
    """Delete stored responses past RESPONSES_TTL_DAYS (run it from cron)."""
    click.echo(f"purged {responses_store.purge()} expired response(s)")

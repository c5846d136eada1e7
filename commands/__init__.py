"""Operator commands: `flask --app app <group> <command> --help`."""
from commands import accounts, admin, catalog, demo, ledger, responses, store, tasks


def register(app) -> None:
    for group in (admin.admin, catalog.channel, catalog.model, accounts.key, accounts.account, ledger.ledger, demo.demo,
                  store.orders, store.package, store.coupon, store.outbox, responses.responses, tasks.tasks):
        app.cli.add_command(group)

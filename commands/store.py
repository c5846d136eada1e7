"""`flask orders ...`, `flask package ...`, `flask coupon ...`, `flask outbox ...`."""
from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from extensions import db
from models import Coupon, Outbox
from services import mailer
from services.store import coupons as coupon_service
from services.store.orders.reconcile import reconcile
from services.store.packages import list_packages, set_package


@click.group(help="Storefront orders.")
def orders():
    pass


@orders.command("reconcile")
@click.option("--older-than", type=int, default=None,
              help="Seconds an order must have been pending (default RECONCILE_AFTER_SECONDS).")
def orders_reconcile(older_than):
    """Query pending orders a notify may have missed; close expired ones. Run from cron."""
    counts = reconcile(older_than)
    mail = mailer.send_queued()
    click.echo("checked {checked}, paid {paid}, closed {closed}, left pending after expiry {failed}".format(**counts)
               + f"; mail sent {mail['sent']}, kept {mail['kept']}, failed {mail['failed']}")


@orders.command("list")
@click.option("--status", default=None, help="pending, paid, closed or refunded.")
@click.option("--limit", type=int, default=50, show_default=True)
def orders_list(status, limit):
    """Newest orders first."""
    from services.reports.admin import search_orders

    for o in search_orders(status=status or "", size=limit).rows:
        click.echo(f"{o.order_no}\t{o.status}\t{o.kind}\t{o.package_code}\t{o.amount_cents / 100:.2f}\t"
                   f"{o.contact_email}\t{o.provider}\t{o.paid_via or '-'}\t{o.created_at:%Y-%m-%d %H:%M}")


@click.group(help="Packages for sale (plans and top-ups).")
def package():
    pass


@package.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include inactive packages.")
def package_list(show_all):
    for p in list_packages(active_only=not show_all):
        click.echo(f"{p.code}\t{p.kind}\t{p.price_cents / 100:.2f} {p.currency}\tbase {p.base_credits}\t"
                   f"bonus {p.bonus_credits}\t{'active' if p.active else 'inactive'}\t{p.name}")


@package.command("set")
@click.argument("code")
@click.option("--kind", type=click.Choice(["purchase", "topup"]), default=None)
@click.option("--name", default=None)
@click.option("--name-zh", default=None)
@click.option("--price-cents", type=int, default=None)
@click.option("--base-credits", type=int, default=None)
@click.option("--bonus-credits", type=int, default=None)
@click.option("--active/--inactive", default=None)
@click.option("--sort-order", type=int, default=None)
def package_set(code, kind, name, name_zh, price_cents, base_credits, bonus_credits, active, sort_order):
    """Create or edit a package; options left out keep their value."""
    try:
        p, created = set_package(code, kind=kind, name=name, name_zh=name_zh, price_cents=price_cents,
                                 base_credits=base_credits, bonus_credits=bonus_credits, active=active,
                                 sort_order=sort_order)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'created' if created else 'updated'} {p.code}: {p.price_cents / 100:.2f} {p.currency}, "
               f"{p.base_credits} + {p.bonus_credits} credits")


@click.group(help="Coupons.")
def coupon():
    pass


def _date(value):
    return datetime.fromisoformat(value) if value else None


@coupon.command("create")
@click.argument("code")
@click.option("--percent", type=int, default=None, help="Percent off (1-99).")
@click.option("--fixed-cents", type=int, default=None, help="Cents off.")
@click.option("--packages", default=None, help="Comma-separated package codes (default: all).")
@click.option("--valid-from", default=None, help="UTC, ISO format.")
@click.option("--valid-until", default=None, help="UTC, ISO format.")
@click.option("--max-uses", type=int, default=None, help="Default: unlimited.")
def coupon_create(code, percent, fixed_cents, packages, valid_from, valid_until, max_uses):
    if (percent is None) == (fixed_cents is None):
        raise click.UsageError("give exactly one of --percent and --fixed-cents")
    kind, value = ("percent", percent) if percent is not None else ("fixed", fixed_cents)
    try:
        c = coupon_service.create_coupon(
            code, kind, value, packages=[p.strip() for p in packages.split(",") if p.strip()] if packages else None,
            valid_from=_date(valid_from), valid_until=_date(valid_until), max_uses=max_uses)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"coupon {c.code}: {value}{'%' if kind == 'percent' else ' cents'} off")


@coupon.command("list")
def coupon_list():
    for c in db.session.scalars(select(Coupon).order_by(Coupon.id)):
        click.echo(f"{c.code}\t{c.kind}\t{c.value}\tused {c.used}/{c.max_uses or '∞'}\t"
                   f"{','.join(c.package_codes or ['all'])}\t{c.valid_from or '-'} .. {c.valid_until or '-'}")


@click.group(help="Mail waiting to be sent (or kept, without SMTP settings).")
def outbox():
    pass


@outbox.command("list")
def outbox_list():
    for row in db.session.scalars(select(Outbox).order_by(Outbox.id.desc()).limit(100)):
        click.echo(f"{row.id}\t{row.status}\t{row.to_email}\t{row.ref or '-'}\t{row.subject}")


@outbox.command("show")
@click.argument("message_id", type=int)
def outbox_show(message_id):
    """Print one message, body included (it may hold a purchased key)."""
    row = db.session.get(Outbox, message_id)
    if row is None:
        raise click.ClickException(f"no message {message_id}")
    click.echo(f"To: {row.to_email}\nSubject: {row.subject}\nStatus: {row.status}\n\n{mailer.body_of(row)}")


@outbox.command("send")
def outbox_send():
    """Send queued mail now (needs MAIL_SMTP_HOST)."""
    click.echo("sent {sent}, failed {failed}, kept {kept}".format(**mailer.send_queued()))

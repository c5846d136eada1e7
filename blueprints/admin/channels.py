"""Channels: state from channel_overview(), add, edit, enable/disable, test.
The upstream key is write-only: never rendered; blank on edit = unchanged."""
from flask import abort, redirect, render_template, request, url_for

from blueprints.admin import bp
from blueprints.admin.forms import (ID, MAX_INT, FormError, audited, done, error_text, failed, integer, number, pairs,
                                   text, words)
from extensions import db
from models import Channel
from services.catalog import channels as channel_service
from services.relay import health
from services.reports.channels import channel_overview
from services.catalog.dialects import DEFAULT_SPEAKS, DIALECTS
from services.relay.adapters import ADAPTERS
from i18n import N_


@bp.get("/channels")
def channels():
    rows = {c.id: c for c in db.session.scalars(db.select(Channel))}
    return render_template("admin/channels.html", overview=channel_overview(), rows=rows)


def _fields() -> dict:
    """The form as add_channel/update_channel arguments."""
    weight = integer("weight", N_("Weight"), minimum=0, maximum=MAX_INT)
    return {"name": text("name"), "provider": text("provider"), "base_url": text("base_url"),
            "api_key": text("api_key") or None, "models": words("models"), "speaks": text("speaks") or None,
            "model_map": pairs("model_map", N_("Model map")),
            "priority": integer("priority", N_("Priority"), maximum=MAX_INT) or 0,
            "weight": 1 if weight is None else weight,
            "timeouts": (number("connect_timeout", N_("Connect timeout")),
                         number("first_byte_timeout", N_("First-byte timeout")),
                         number("idle_timeout", N_("Idle timeout")))}


def _form(channel=None, error=None, status=200):
    return render_template("admin/channel_form.html", channel=channel, form=request.form, error=error,
                           providers=sorted(ADAPTERS), dialects=DIALECTS,
                           default_speaks="; ".join(f"{kind}: {', '.join(names)}"
                                                    for kind, names in DEFAULT_SPEAKS.items())), status


@bp.route("/channels/new", methods=["GET", "POST"])
def channel_new():
    if request.method == "GET":
        return _form()
    try:
        channel = channel_service.add_channel(**_fields())
    except (FormError, channel_service.ChannelError) as exc:
        db.session.rollback()
        return _form(error=error_text(exc), status=400)
    audited("channel.add", f"channel:{channel.id}", name=channel.name, base_url=channel.base_url,
            models=channel.models, speaks=channel.speaks)
    done(N_("Channel %(name)s added."), name=channel.name)
    return redirect(url_for("admin.channels"))


@bp.route(f"/channels/<{ID}:channel_id>/edit", methods=["GET", "POST"])
def channel_edit(channel_id: int):
    channel = db.session.get(Channel, channel_id) or abort(404)
    if request.method == "GET":
        return _form(channel)
    try:
        channel = channel_service.update_channel(channel_id, **_fields())
    except (FormError, channel_service.ChannelError) as exc:
        db.session.rollback()
        return _form(db.session.get(Channel, channel_id), error=error_text(exc), status=400)
    audited("channel.edit", f"channel:{channel.id}", name=channel.name, base_url=channel.base_url,
            models=channel.models, speaks=channel.speaks, key_replaced=bool(text("api_key")))
    done(N_("Channel %(name)s saved."), name=channel.name)
    return redirect(url_for("admin.channels"))


@bp.post(f"/channels/<{ID}:channel_id>/enabled")
def channel_enabled(channel_id: int):
    channel = db.session.get(Channel, channel_id) or abort(404)
    enable = text("enabled") == "1"
    channel_service.set_enabled(channel.name, enable)
    audited("channel.enable" if enable else "channel.disable", f"channel:{channel_id}", name=channel.name)
    done(N_("Channel %(name)s enabled.") if enable else N_("Channel %(name)s disabled."), name=channel.name)
    return redirect(url_for("admin.channels"))


@bp.post(f"/channels/<{ID}:channel_id>/test")
def channel_test(channel_id: int):
    result = health.check_channel_by_id(channel_id, text("model") or None)
    if result is None:
        failed(N_("No such channel, or it serves no model."))
        return redirect(url_for("admin.channels"))
    return render_template("admin/channel_test.html", result=result)

"""Read-only pages: docs and pricing."""
from __future__ import annotations

from flask import current_app, render_template

from blueprints.public import site_url
from blueprints.storefront import bp, examples, samples
from models.commerce import PURCHASE, TOPUP
from services.catalog.snapshot import current_catalog
from services.store.packages import list_packages


def public_models() -> list:
    catalog = current_catalog()
    return sorted((m for m in catalog.models.values()
                   if m.enabled and m.public and catalog.channels_for(m.id)), key=lambda m: m.id)


@bp.get("/pricing")
def pricing():
    return render_template("store/pricing.html", plans=list_packages(PURCHASE), topups=list_packages(TOPUP),
                           models=public_models(),
                           dev_payments=current_app.config["PAYMENT_PROVIDER"] == "dev")


@bp.get("/docs")
def docs():
    base = site_url()
    models = public_models()
    return render_template("store/docs.html", site=base, api_base=base + "/v1",
                           endpoint=base + "/v1/chat/completions",
                           model=models[0].id if models else "your-model-id",
                           models_json=examples.models_example(models), helper=examples.helper_examples(),
                           limits=examples.limits(), has_messages=examples.has_route("/v1/messages"),
                           **samples.render(base, base + "/v1", base + "/v1/chat/completions",
                                            models[0].id if models else "your-model-id"))

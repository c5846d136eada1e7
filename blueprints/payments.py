"""Payment provider callbacks. Alipay posts form data here without cookies,
so the view is exempt from CSRF; the signature is what it checks."""
from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound

from services import metrics
from services.store.orders.payment import handle_notify

bp = Blueprint("payments", __name__)
NOTIFYING_PROVIDERS = ("alipay",)


@bp.post("/pay/<provider_name>/notify")
def notify(provider_name: str):
    if provider_name not in NOTIFYING_PROVIDERS:
        raise NotFound()
    result = handle_notify(provider_name, request.form)
    metrics.observe_notify(provider_name, result)
    # Alipay reads the bare body: "success" stops its resends, anything else
    # makes it try again later.
    if result.ack:
        return Response("success", mimetype="text/plain")
    return Response("fail", status=400, mimetype="text/plain")

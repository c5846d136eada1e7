"""/metrics for Prometheus: off the public site (404) unless the scraper
shows METRICS_TOKEN as a bearer token or comes from METRICS_ALLOW_NETWORKS."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotFound

from services import metrics

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    if not metrics.may_scrape(current_app.config, request.remote_addr, request.headers.get("Authorization")):
        raise NotFound()
    return Response(metrics.render(), headers={"Content-Type": metrics.CONTENT_TYPE, "Cache-Control": "no-store"})

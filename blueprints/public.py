"""Public pages. (The storefront's docs, pricing and purchase flows build on
this blueprint.)"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.exceptions import HTTPException

bp = Blueprint("public", __name__)


def site_url() -> str:
    from flask import current_app

    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


@bp.get("/")
def home():
    base = site_url()
    return render_template("public/home.html", site=base, api_base=base + "/v1",
                           endpoint=base + "/v1/chat/completions")


@bp.get("/healthz")
def healthz():
    return {"ok": True}


def html_error(exc: HTTPException):
    return render_template("errors/error.html", error=exc), exc.code or 500

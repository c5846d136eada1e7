"""/admin/: counts, today's traffic, the ledger check, links."""
from flask import render_template

from blueprints.admin import bp
from services.billing import ledger
from services.reports import admin as reports


@bp.get("/")
def index():
    return render_template("admin/index.html", stats=reports.overview(), problems=ledger.verify())

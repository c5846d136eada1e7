"""SKELETON: replaced by the dashboard work."""
from flask import render_template

from blueprints.auth import bp


@bp.route("/signin", methods=["GET", "POST"])
def sign_in():
    return render_template("errors/error.html", error=None), 501


@bp.route("/register", methods=["GET", "POST"])
def register():
    return render_template("errors/error.html", error=None), 501


@bp.post("/signout")
def sign_out():
    return "", 501

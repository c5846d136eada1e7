"""Packages, coupons and orders (search, detail, mark paid, refund)."""
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.admin import bp
from blueprints.admin.forms import (MAX_INT, FormError, audited, checkbox, done, error_text, failed, integer, moment,
                                   page_arg, refused, text, words)
from extensions import db
from models import Package
from models.commerce import ORDER_CLOSED, ORDER_PAID, ORDER_PENDING, ORDER_REFUNDED
from services.store import coupons as coupon_service, packages as package_service
from services.reports import admin as reports
from services.store.orders import manual
from i18n import N_

STATUSES = (ORDER_PENDING, ORDER_PAID, ORDER_CLOSED, ORDER_REFUNDED)


@bp.get("/packages")
def packages():
    return render_template("admin/packages.html", packages=package_service.list_packages(active_only=False))


def _package_form(package=None, error=None, status=200):
    return render_template("admin/package_form.html", package=package, form=request.form, error=error,
                           kinds=package_service.KINDS), status


@bp.route("/packages/edit", methods=["GET", "POST"])
def package_edit():
    code = (request.args.get("code") or "").strip()
    package = db.session.scalar(db.select(Package).where(Package.code == code)) if code else None
    if request.method == "GET":
        return _package_form(package)
    try:
        row, created = package_service.set_package(
            package.code if package else text("code"), kind=text("kind") or None, name=text("name") or None,
            name_zh=text("name_zh"),
            price_cents=integer("price_cents", N_("Price (cents)"), required=True, minimum=1, maximum=MAX_INT),
            base_credits=integer("base_credits", N_("Base credits"), required=True, minimum=0),
            bonus_credits=integer("bonus_credits", N_("Bonus credits"), minimum=0) or 0,
            active=checkbox("active"), sort_order=integer("sort_order", N_("Sort order"), maximum=MAX_INT) or 0)
    except (FormError, ValueError) as exc:
        db.session.rollback()
        return _package_form(package, error=error_text(exc), status=400)
    audited("package.create" if created else "package.edit", f"package:{row.code}", price_cents=row.price_cents,
            base_credits=row.base_credits, bonus_credits=row.bonus_credits, active=row.active)
    done(N_("Package %(code)s saved."), code=row.code)
    return redirect(url_for("admin.packages"))


@bp.post("/packages/<code>/active")
def package_active(code: str):
    active = text("active") == "1"
    try:
        row, _ = package_service.set_package(code, active=active)
    except ValueError as exc:
        db.session.rollback()
        refused(exc)
        return redirect(url_for("admin.packages"))
    audited("package.activate" if active else "package.deactivate", f"package:{row.code}")
    done(N_("Package %(code)s activated.") if active else N_("Package %(code)s deactivated."), code=row.code)
    return redirect(url_for("admin.packages"))


@bp.get("/coupons")
def coupons():
    return render_template("admin/coupons.html", coupons=coupon_service.list_coupons(), form={}, error=None)


@bp.post("/coupons")
def coupon_create():
    try:
        kind = text("kind")
        coupon = coupon_service.create_coupon(
            text("code"), kind, integer("value", N_("Value"), required=True, maximum=MAX_INT) or 0,
            packages=words("packages") or None,
            valid_from=moment("valid_from", N_("Valid from")), valid_until=moment("valid_until", N_("Valid until")),
            max_uses=integer("max_uses", N_("Max uses"), minimum=1, maximum=MAX_INT))
    except (FormError, ValueError) as exc:
        db.session.rollback()
        return render_template("admin/coupons.html", coupons=coupon_service.list_coupons(), form=request.form,
                               error=error_text(exc)), 400
    audited("coupon.create", f"coupon:{coupon.code}", kind=coupon.kind, value=coupon.value,
            max_uses=coupon.max_uses, packages=coupon.package_codes)
    done(N_("Coupon %(code)s created."), code=coupon.code)
    return redirect(url_for("admin.coupons"))


@bp.post("/coupons/<code>/deactivate")
def coupon_deactivate(code: str):
    try:
        coupon = coupon_service.set_active(code, False)
    except ValueError as exc:
        refused(exc)
        return redirect(url_for("admin.coupons"))
    audited("coupon.deactivate", f"coupon:{coupon.code}")
    done(N_("Coupon %(code)s deactivated."), code=coupon.code)
    return redirect(url_for("admin.coupons"))


@bp.get("/orders")
def orders():
    args = {name: request.args.get(name, "") for name in ("order_no", "email", "status")}
    found = reports.search_orders(**args, page=page_arg())
    return render_template("admin/orders.html", found=found, args=args, statuses=STATUSES)


@bp.get("/orders/<order_no>")
def order(order_no: str):
    row = reports.find_order(order_no) or abort(404)
    return render_template("admin/order.html", order=row)


@bp.post("/orders/<order_no>/mark-paid")
def order_mark_paid(order_no: str):
    try:
        outcome = manual.mark_paid(order_no, actor_user_id=current_user.id, reason=text("reason"))
    except manual.OrderActionError as exc:
        refused(exc)
    else:
        if outcome.done_now:
            done(N_("Order %(no)s marked paid; its credits were booked."), no=order_no)
        else:
            failed(N_("Order %(no)s was already paid; nothing changed."), no=order_no)
    return redirect(url_for("admin.order", order_no=order_no))


@bp.post("/orders/<order_no>/refund")
def order_refund(order_no: str):
    try:
        outcome = manual.refund(order_no, actor_user_id=current_user.id, reason=text("reason"))
    except manual.OrderActionError as exc:
        refused(exc)
    else:
        if outcome.done_now:
            done(N_("Order %(no)s refunded; its credits were taken back."), no=order_no)
        else:
            failed(N_("Order %(no)s was already refunded; nothing changed."), no=order_no)
    return redirect(url_for("admin.order", order_no=order_no))

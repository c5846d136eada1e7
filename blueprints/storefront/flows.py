"""Buying a plan, topping up a key, the order (payment) page, order lookup."""
from __future__ import annotations

import io

import segno
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound
from flask_babel import gettext, lazy_gettext

from blueprints.public import site_url
from blueprints.storefront import bp
from blueprints.storefront.signed_in import account_topup, my_account, signed_in
from extensions import limiter
from models.commerce import PURCHASE, TOPUP
from services.identity.key_views import quota
from services.store.orders import account_orders, create, lookup, payment
from services.store.orders.errors import StoreError
from services.store.packages import get_package, list_packages

# Shown to visitors, in their language (lazy: translated when shown);
# StoreError.message is for logs and the API.
MESSAGES = {
    "email_invalid": lazy_gettext("A valid contact email is required."),
    "package_unknown": lazy_gettext("Please choose a package."),
    "key_invalid": lazy_gettext("This API key cannot be topped up: check that it is complete and active."),
    "coupon_invalid": lazy_gettext("This coupon does not exist."),
    "coupon_expired": lazy_gettext("This coupon is not valid now."),
    "coupon_not_applicable": lazy_gettext("This coupon does not apply to this package."),
    "coupon_used_up": lazy_gettext("This coupon has been used up."),
    "order_not_found": lazy_gettext("No order matches this order number and email."),
    "payment_unavailable": lazy_gettext("The payment could not be started; try again shortly."),
    "order_expired": lazy_gettext("This order has expired; please place a new one."),
    "key_already_shown": lazy_gettext("The key was already shown once (and sent to your email)."),
    "key_not_ready": lazy_gettext("The key is delivered once the order is paid."),
    "dev_payment_off": lazy_gettext("Development payment is not available."),
    "account_unavailable": lazy_gettext("This account cannot take orders now."),
}


def message(error: StoreError) -> str:
    known = MESSAGES.get(error.reason)
    return str(known) if known is not None else gettext(error.message)


def lookup_limit() -> str:
    return f"{current_app.config['STOREFRONT_LOOKUP_RPM']}/minute"


def client_ip() -> str:
    return request.remote_addr or "unknown"


def no_store(response):
    """Pages that carry a key or a contact email stay out of caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/buy/<plan_code>", methods=["GET", "POST"])
def buy(plan_code: str):
    plan = get_package(plan_code, PURCHASE)
    if plan is None:
        raise NotFound()
    if request.method == "GET":
        return render_template("store/buy.html", plan=plan, email=current_user.email if signed_in() else None)
    form = request.form
    try:
        if signed_in():  # the plan's key and credits go to the customer's own account
            order = account_orders.create_account_purchase(my_account(), plan.code, form.get("email"),
                                                           coupon_code=form.get("coupon"), source_page="pricing")
        else:
            order = create.create_purchase(plan.code, form.get("email"), coupon_code=form.get("coupon"),
                                           source_page="pricing")
    except StoreError as exc:
        return render_template("store/buy.html", plan=plan, error=message(exc), email=form.get("email"),
                               coupon=form.get("coupon")), exc.status
    return redirect(lookup.pay_url(order), 303)


@bp.route("/topup", methods=["GET", "POST"])
@limiter.limit(lookup_limit, key_func=client_ip, methods=["POST"])
def topup():
    if request.method == "GET":
        return render_template("store/topup.html", **account_topup())
    form = request.form
    if form.get("step") == "account":
        return _topup_my_account(form)
    raw = (form.get("api_key") or "").strip()
    try:
        preview = quota(create.topup_target(raw))
    except StoreError as exc:
        return render_template("store/topup.html", error=message(exc), **account_topup()), exc.status
    page = {"preview": preview, "api_key": raw, "packages": list_packages(TOPUP), "email": form.get("email"),
            "coupon": form.get("coupon"), "chosen": form.get("package")}
    if form.get("step") != "order":
        return no_store(current_app.make_response(render_template("store/topup.html", **page)))
    try:
        order = create.create_topup(raw, form.get("package"), form.get("email"),
                                    coupon_code=form.get("coupon"), source_page="topup")
    except StoreError as exc:
        return no_store(current_app.make_response(
            (render_template("store/topup.html", error=message(exc), **page), exc.status)))
    return redirect(lookup.pay_url(order), 303)


def _topup_my_account(form):
    """Signed in: a top-up order for the customer's own account, no key."""
    if not signed_in():
        return redirect(url_for("auth.sign_in", next=url_for("store.topup")), 303)
    try:
        order = account_orders.create_account_topup(my_account(), form.get("package"), current_user.email,
                                                    coupon_code=form.get("coupon"), source_page="topup_account")
    except StoreError as exc:
        page = account_topup(package=form.get("package"), coupon=form.get("coupon"))
        return no_store(current_app.make_response(
            (render_template("store/topup.html", error=message(exc), **page), exc.status)))
    return redirect(lookup.pay_url(order), 303)


def _order_page(kind: str):
    try:
        order = lookup.find(request.args.get("orderNo"), request.args.get("contactEmail"), kind)
        order = payment.refresh(payment.start(order))
        error = None
    except StoreError as exc:
        if exc.reason == "order_not_found":
            return render_template("store/lookup.html", error=message(exc)), 404
        error = message(exc)
    return no_store(current_app.make_response(render_order(order, error=error)))


def render_order(order, *, error=None, api_key=None):
    view = lookup.view(order)
    poll = url_for("store_api.purchase_query" if order.kind == PURCHASE else "store_api.topup_query")
    return render_template("store/order.html", order=order, error=error, api_key=api_key,
                           masked_key=view.get("maskedKey"), poll_url=poll, api_base=site_url() + "/v1")


@bp.get("/pricing/pay")
def purchase_order():
    return _order_page(PURCHASE)


@bp.get("/topup/pay")
def topup_order():
    return _order_page(TOPUP)


@bp.get("/pay/qr/<order_no>.png")
def qr_image(order_no: str):
    try:
        order = lookup.find(order_no, request.args.get("contactEmail"))
    except StoreError:
        raise NotFound() from None
    if not order.qr_code or order.status != "pending":
        raise NotFound()
    out = io.BytesIO()
    segno.make(order.qr_code, error="m").save(out, kind="png", scale=6, border=2)
    response = current_app.response_class(out.getvalue(), mimetype="image/png")
    return no_store(response)


@bp.post("/pay/dev/<order_no>")
def dev_pay(order_no: str):
    try:
        order = lookup.find(order_no, request.form.get("contactEmail"))
        payment.dev_pay(order)
    except StoreError as exc:
        if exc.reason == "order_not_found":
            raise NotFound() from None
        return render_order(order, error=message(exc)), exc.status
    return redirect(lookup.pay_url(order), 303)


@bp.post("/orders/key")
@limiter.limit(lookup_limit, key_func=client_ip)
def reveal_key():
    try:
        order = lookup.find(request.form.get("orderNo"), request.form.get("contactEmail"), PURCHASE)
    except StoreError as exc:
        return render_template("store/lookup.html", error=message(exc)), 404
    try:
        raw = lookup.claim_key(order)
    except StoreError as exc:
        return no_store(current_app.make_response((render_order(order, error=message(exc)), exc.status)))
    return no_store(current_app.make_response(render_order(order, api_key=raw)))


@bp.route("/orders/lookup", methods=["GET", "POST"])
@limiter.limit(lookup_limit, key_func=client_ip, methods=["POST"])
def lookup_order():
    if request.method == "GET":
        return render_template("store/lookup.html")
    form = request.form
    try:
        order = lookup.find(form.get("orderNo"), form.get("contactEmail"))
    except StoreError as exc:
        return render_template("store/lookup.html", error=message(exc), order_no=form.get("orderNo"),
                               email=form.get("contactEmail")), exc.status
    return redirect(lookup.pay_url(order), 303)

"""The model registry and prices; Anthropic model-name aliases."""
from flask import redirect, render_template, request, url_for

from blueprints.admin import bp
from blueprints.admin.forms import (MAX_AMOUNT, MAX_INT, FormError, audited, checkbox, done, error_text, failed,
                                   integer, refused, text)
from extensions import db
from models import LlmModel, ModelAlias
from services.catalog import models as registry
from i18n import N_

# (field, label, largest value: prices are BIGINTEGER, token counts INTEGER)
PRICES = (("input_price", N_("Input price"), MAX_AMOUNT), ("output_price", N_("Output price"), MAX_AMOUNT),
          ("cache_read_price", N_("Cached input price"), MAX_AMOUNT), ("request_price", N_("Request price"), MAX_AMOUNT),
          ("image_input_price", N_("Image input price"), MAX_AMOUNT),
          ("character_price", N_("Character price"), MAX_AMOUNT), ("second_price", N_("Second price"), MAX_AMOUNT),
          ("search_unit_price", N_("Search unit price"), MAX_AMOUNT),
          ("max_output_tokens", "Max output tokens", MAX_INT), ("context_window", "Context window", MAX_INT))


@bp.get("/models")
def models():
    rows = db.session.scalars(db.select(LlmModel).order_by(LlmModel.id)).all()
    aliases = db.session.scalars(db.select(ModelAlias).order_by(ModelAlias.pattern)).all()
    return render_template("admin/models.html", models=rows, aliases=aliases)


def _form(model=None, error=None, status=200):
    return render_template("admin/model_form.html", model=model, form=request.form, error=error,
                           image_prices=registry.format_image_prices(model.image_prices if model else None),
                           video_prices=registry.format_image_prices(model.video_prices if model else None)), status


@bp.route("/models/edit", methods=["GET", "POST"])
def model_edit():
    model_id = (request.args.get("id") or "").strip()
    model = db.session.get(LlmModel, model_id) if model_id else None
    if request.method == "GET":
        return _form(model)
    model_id = model.id if model is not None else text("id")
    try:
        fields = {name: integer(name, label, minimum=0, maximum=top) for name, label, top in PRICES}
        for name in ("input_price", "output_price", "request_price", "character_price", "second_price",
                     "search_unit_price"):
            fields[name] = fields[name] or 0
        fields["image_prices"] = text("image_prices") or None
        fields["video_prices"] = text("video_prices") or None
        capabilities = text("capabilities")
        if "capabilities" in request.form:
            fields["capabilities"] = [c.strip() for c in capabilities.split(",") if c.strip()] or ["chat"]
        cleared = tuple(name for name in registry.NULLABLE if name in fields and fields[name] is None)
        row, created = registry.set_model(
            model_id, clear=cleared, display_name=text("display_name") or model_id,
            category=text("category") or "chat", enabled=checkbox("enabled"), public=checkbox("public"), **fields)
    except (FormError, registry.RegistryError) as exc:
        db.session.rollback()
        return _form(model, error=error_text(exc), status=400)
    audited("model.create" if created else "model.edit", f"model:{row.id}",
            input_price=row.input_price, output_price=row.output_price, cache_read_price=row.cache_read_price,
            request_price=row.request_price, image_prices=row.image_prices, image_input_price=row.image_input_price,
            character_price=row.character_price, second_price=row.second_price,
            search_unit_price=row.search_unit_price, video_prices=row.video_prices, enabled=row.enabled, public=row.public)
    done(N_("Model %(id)s saved."), id=row.id)
    return redirect(url_for("admin.models"))


@bp.post("/models/aliases")
def alias_add():
    try:
        alias = registry.set_alias(text("pattern"), text("model_id"))
    except registry.RegistryError as exc:
        db.session.rollback()
        refused(exc)
        return redirect(url_for("admin.models"))
    audited("alias.set", f"alias:{alias.pattern}", model_id=alias.model_id)
    done(N_("Alias %(pattern)s now calls %(model)s."), pattern=alias.pattern, model=alias.model_id)
    return redirect(url_for("admin.models"))


@bp.post("/models/aliases/remove")
def alias_remove():
    pattern = text("pattern")
    if registry.remove_alias(pattern):
        audited("alias.remove", f"alias:{pattern}")
        done(N_("Alias %(pattern)s removed."), pattern=pattern)
    else:
        failed(N_("No alias %(pattern)s."), pattern=pattern)
    return redirect(url_for("admin.models"))

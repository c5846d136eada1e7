"""The Gemini views; see the package's docstring."""
from __future__ import annotations

from flask import Response, g, jsonify, request

from services.catalog.snapshot import visible_models
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import relay
from blueprints.gemini import bp, bp_v1
from services.catalog.snapshot import current_catalog
from services.relay.doors import gemini, gemini_embeddings
from services.relay.errors import RelayError

DOOR = gemini.DOOR
ACTIONS = ("generateContent", "streamGenerateContent", "countTokens", *gemini_embeddings.ACTIONS)


def model_object(info, name: str | None = None) -> dict:
    out = {"name": f"models/{name or info.id}", "version": "001", "displayName": info.display_name or info.id,
           "description": info.display_name or info.id,
           "supportedGenerationMethods": list(gemini.GENERATION_METHODS)}
    if info.context_window:
        out["inputTokenLimit"] = info.context_window
    if info.max_output_tokens:
        out["outputTokenLimit"] = info.max_output_tokens
    return out


def _not_found(name: str) -> RelayError:
    return RelayError(404, "model_not_available", f"models/{name} is not found.")


@bp.get("/models")
@api_view(DOOR)
def list_models():
    models = sorted(visible_models(g.api_key), key=lambda m: m.id)
    return jsonify({"models": [model_object(m) for m in models]})


@bp.get("/models/<path:name>")
@api_view(DOOR)
def get_model(name: str):
    """One model: a registry id, or a name an alias maps to a visible one
    (Gemini CLI's gemini-2.5-flash, aliased by the operator)."""
    name = name.removeprefix("models/")
    target = current_catalog().resolve(name)
    if target is None or target.id not in {m.id for m in visible_models(g.api_key)}:
        raise _not_found(name)
    return jsonify(model_object(target, name))


def model_action(target: str) -> tuple[str, str]:
    model, _, action = target.removeprefix("models/").rpartition(":")
    if not model or action not in ACTIONS:
        raise RelayError(404, "not_found", f"The action models/{target} is not found; use one of "
                                           f"{', '.join(ACTIONS)}.")
    return model, action


def generate(target: str):
    model, action = model_action(target)
    body = read_json_body()
    if action in gemini_embeddings.ACTIONS:
        return relay(gemini_embeddings.DOOR, body=gemini_embeddings.envelope(model, body, batch=gemini_embeddings.ACTIONS[action]))
    if action == "countTokens":
        return jsonify(gemini.count(body))
    stream = action == "streamGenerateContent"
    sse = request.args.get("alt") == "sse"
    response = relay(DOOR, body=gemini.envelope(model, body, stream=stream, sse=sse))
    if stream and not sse:  # the JSON-array stream is JSON
        response.mimetype = "application/json"
    return response


@bp.post("/models/<path:target>")
@api_view(DOOR)
def models_action(target: str) -> Response:
    return generate(target)


@bp_v1.post("/models/<path:target>")
@api_view(DOOR)
def models_action_v1(target: str) -> Response:
    return generate(target)

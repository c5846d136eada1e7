"""POST /v1/responses (and GET/DELETE /v1/responses/{id}): the Responses
door, for Codex CLI, the Agents SDK and the openai SDK."""
from __future__ import annotations

from functools import partial

from flask import g, jsonify

from blueprints.api_v1 import bp
from blueprints.api_v1.auth import api_view
from blueprints.api_v1.body import read_json_body
from blueprints.api_v1.relaying import relay
from services.relay import responses_store
from services.relay.doors import openai_responses
from services.relay.errors import RelayError

DOOR = openai_responses.DOOR


@bp.post("/responses")
@api_view(DOOR)
def create_response():
    body = read_json_body()
    openai_responses.validate(body)
    key = g.api_key
    try:
        body, items = responses_store.continue_from(key.account_id, body)
    except responses_store.UnknownResponse:
        raise RelayError(400, "previous_response_not_found",
                         f"Previous response with id '{body['previous_response_id']}' not found.") from None
    keep = body.get("store", True) is not False
    return relay(DOOR, body=body, on_answer=partial(responses_store.save, key.account_id, key.id, items)
                 if keep else None)


@bp.get("/responses/<response_id>")
@api_view(DOOR)
def get_response(response_id: str):
    try:
        return jsonify(responses_store.get(g.api_key.account_id, response_id))
    except responses_store.UnknownResponse:
        raise _not_found(response_id) from None


@bp.delete("/responses/<response_id>")
@api_view(DOOR)
def delete_response(response_id: str):
    try:
        responses_store.remove(g.api_key.account_id, response_id)
    except responses_store.UnknownResponse:
        raise _not_found(response_id) from None
    return jsonify({"id": response_id, "object": "response", "deleted": True})


def _not_found(response_id: str) -> RelayError:
    return RelayError(404, "not_found", f"Response with id '{response_id}' not found.")

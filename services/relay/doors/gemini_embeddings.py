"""The Gemini door's embeddings: POST /v1beta/models/{model}:embedContent and
:batchEmbedContents (google-genai's `models.embed_content` calls the
latter), served by channels that speak openai.embeddings through the
converter table (services/relay/convert/embeddings.py). The client's wire
is "gemini.embeddings"; no channel speaks it natively.

As for the Gemini generation door, the views hand over an envelope: the
wire body with the path's model and `batch`. Billed as /v1/embeddings is,
on input tokens (the same texts cost the same through either door); errors
are Google's shape, the key comes in x-goog-api-key or ?key=."""
from __future__ import annotations

from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.convert.embeddings import EmbeddingRequestError, read
from services.relay.convert.table import Target
from services.relay.doors import gemini, media
from services.relay.doors.base import Door
from services.relay.doors.embeddings import input_tokens, token_ask
from services.relay.errors import RelayError, invalid_request

DIALECT = "gemini.embeddings"
ACTIONS = {"embedContent": False, "batchEmbedContents": True}  # action -> batch
ENVELOPE = ("model", "batch")


def envelope(model: str, body, *, batch: bool) -> dict:
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return {**body, "model": model, "batch": batch}


def _same_model(body: dict) -> None:
    """A batch's requests name the path's model (Google refuses others)."""
    for n, request in enumerate(body.get("requests") or ()):
        named = request.get("model") if isinstance(request, dict) else None
        if isinstance(named, str) and named.removeprefix("models/") != body["model"]:
            raise invalid_request(f"* BatchEmbedContentsRequest.requests[{n}].model: it must be "
                                  f"models/{body['model']}, the model of the call")


def parse(body, headers=None) -> Ask:
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or not body["model"].strip():
        raise RelayError(400, "model_required", "The model is required: models/{model}:embedContent.")
    check_forbidden(body)
    try:
        texts, _dimensions = read(body, batch=bool(body.get("batch")))
    except EmbeddingRequestError as exc:
        raise invalid_request(str(exc)) from None
    if body.get("batch"):
        _same_model(body)
    return token_ask(body, input_tokens(texts, bound=True), input_tokens(texts, bound=False))


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    """For a channel speaking Gemini's embedding wire: the wire body under
    the upstream's model (no adapter sends it yet; the plan never picks it)."""
    body = {k: v for k, v in ask.body.items() if k not in ENVELOPE}
    return Upstream({"model": target.upstream_model, **body}, DIALECT)


def answer(call, answer: dict, meter) -> dict:
    return answer  # already Gemini's shape (the converter's)


DOOR = Door(name="gemini.embed", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=media.MediaWriter,
            answer=answer, error_body=gemini.error_body, key_headers=gemini.DOOR.key_headers, key_query="key")

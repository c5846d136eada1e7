"""The rerank door (POST /v1/rerank), in the shape Jina and Cohere share:
{model, query, documents (strings or {text}), top_n, return_documents}.
Passed through to channels that speak openai.rerank; the answer is the
upstream's ({results[{index, relevance_score, document?}]} with Jina's
usage or Cohere's meta), under the client's model name.

Billed per search unit (one query over up to 100 documents), plus tokens
where the model has token prices: the hold and the local measure are
ceil(documents / 100) search units and the token bound of the query paired
with every document. The settlement is Cohere's
meta.billed_units.search_units when reported, else Jina's
usage.total_tokens for the tokens with the local search units."""
from __future__ import annotations

from services.billing.pricing import Usage
from services.relay.call import Ask, Upstream, check_forbidden
from services.relay.convert.table import Target
from services.relay.doors import media
from services.relay.doors.base import Door
from services.relay.doors.openai_chat import _positive_int, require_model, relay_error_body
from services.relay.errors import invalid_request
from services.relay.tokens import bound_text_tokens, estimate_text_tokens

DIALECT = "openai.rerank"
PER_SEARCH_UNIT = 100  # documents one search unit covers
MAX_DOCUMENTS = 10_000


def _text(document):
    if isinstance(document, str):
        return document
    if isinstance(document, dict) and isinstance(document.get("text"), str):
        return document["text"]
    return None


def validate(body) -> list[str]:
    require_model(body)
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise invalid_request("'query' must be a non-empty string.")
    documents = body.get("documents")
    if not isinstance(documents, list) or not documents:
        raise invalid_request("'documents' must be a non-empty array of strings or {text} objects.")
    if len(documents) > MAX_DOCUMENTS:
        raise invalid_request(f"'documents' may hold at most {MAX_DOCUMENTS} items.")
    texts = [_text(d) for d in documents]
    if any(t is None for t in texts):
        raise invalid_request("Each document must be a string or an object with a 'text' string.")
    _positive_int(body, "top_n")
    if "return_documents" in body and not isinstance(body["return_documents"], bool):
        raise invalid_request("'return_documents' must be true or false.")
    check_forbidden(body)
    return texts


def search_units(documents: int) -> int:
    return -(-documents // PER_SEARCH_UNIT)


def pair_tokens(query: str, texts: list[str], *, bound: bool) -> int:
    """The query is read once with each document."""
    text = bound_text_tokens if bound else estimate_text_tokens
    return text(query) * len(texts) + sum(text(t) for t in texts)


def parse(body, headers=None) -> Ask:
    texts = validate(body)
    units = search_units(len(texts))
    bound, estimate = pair_tokens(body["query"], texts, bound=True), pair_tokens(body["query"], texts, bound=False)
    return Ask(model_id=body["model"], stream=False, prompt_bound=bound, prompt_estimate=estimate,
               output_tokens=None, choices=1, body=body, message_count=1,  # documents are not messages
               bound=Usage(prompt_tokens=bound, search_units=units),
               measure=Usage(prompt_tokens=estimate, search_units=units))


def passthrough(ask: Ask, target: Target, limit_changed: bool) -> Upstream:
    return Upstream({**ask.body, "model": target.upstream_model}, DIALECT)


DOOR = Door(name="rerank", dialect=DIALECT, parse=parse, passthrough=passthrough, writer=media.MediaWriter,
            answer=media.answer, error_body=relay_error_body)

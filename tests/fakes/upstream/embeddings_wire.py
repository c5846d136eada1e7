"""OpenAI's embeddings and moderations, and the rerank API (Jina's shape,
or Cohere's with config `rerank_shape: "cohere"`), answered the way the
real APIs answer:

- /v1/embeddings: one deterministic unit vector per input (seeded by the
  input; `dimensions` long, else DEFAULT_DIMENSIONS), floats unless
  `encoding_format: "base64"` (little-endian float32); usage
  {prompt_tokens, total_tokens}: the words of each string, the length of
  each token array (config `usage: false` leaves it out).
- /v1/moderations: results per input, no usage (the real API has none);
  a text holding "kill" is flagged as violence, an image never.
- /v1/rerank: the documents scored by the share of the query's words they
  hold, best first, `top_n` of them, with `document: {text}` when
  `return_documents`; Jina: `usage {total_tokens}` (the query's words with
  each document plus the documents' words); Cohere: `meta.billed_units
  .search_units`, ceil(documents / 100) or config `search_units`."""
from __future__ import annotations

import base64
import hashlib
import math
import struct

import orjson

from .behaviour import rand_id

DEFAULT_DIMENSIONS = 8
MAX_DIMENSIONS = 3072  # text-embedding-3-large's; more is refused, as OpenAI does
PATHS = ("/v1/embeddings", "/v1/moderations", "/v1/rerank")
CATEGORIES = ("harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
              "self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence",
              "violence/graphic")


def _words(text: str) -> int:
    return len(text.split())


def vector(item, dimensions: int) -> list[float]:
    seed = orjson.dumps(item)
    values, n = [], 0
    while len(values) < dimensions:
        digest = hashlib.sha256(seed + n.to_bytes(4, "little")).digest()
        values += [b / 255 - 0.5 for b in digest]
        n += 1
    values = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    # float32-exact, so base64 and floats say the same numbers
    return list(struct.unpack(f"<{dimensions}f", struct.pack(f"<{dimensions}f", *(v / norm for v in values))))


def _inputs(value) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(t, int) for t in value):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, (str, list)) for v in value):
        return value
    return None


def embeddings(body: dict, config: dict):
    """(status, body)"""
    items = _inputs(body.get("input"))
    if not isinstance(body.get("model"), str) or items is None:
        return 400, _error("'input' is required: a string, array of strings or array of tokens.")
    if body.get("encoding_format") not in (None, "float", "base64"):
        return 400, _error("'encoding_format' must be 'float' or 'base64'.")
    dimensions = body.get("dimensions") or DEFAULT_DIMENSIONS
    if not isinstance(dimensions, int) or not 1 <= dimensions <= MAX_DIMENSIONS:
        return 400, _error(f"'dimensions' must be an integer from 1 to {MAX_DIMENSIONS}.")
    data = []
    for index, item in enumerate(items):
        values = vector(item, dimensions)
        if body.get("encoding_format") == "base64":
            values = base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()
        data.append({"object": "embedding", "index": index, "embedding": values})
    out = {"object": "list", "data": data, "model": body["model"]}
    if config.get("usage", True) is not False:
        tokens = sum(len(i) if isinstance(i, list) else _words(i) for i in items)
        out["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return 200, orjson.dumps(out)


def _moderation_texts(value) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        # content parts are one input: its text parts together
        return [" ".join(p.get("text", "") for p in value if p.get("type") == "text")]
    return None


def moderations(body: dict, config: dict):
    texts = _moderation_texts(body.get("input"))
    if texts is None:
        return 400, _error("'input' is required.")
    results = []
    for text in texts:
        violent = "kill" in text.lower()
        categories = {c: violent and c == "violence" for c in CATEGORIES}
        scores = {c: (0.91 if violent and c == "violence" else 0.0001) for c in CATEGORIES}
        results.append({"flagged": violent, "categories": categories, "category_scores": scores,
                        "category_applied_input_types": {c: ["text"] for c in CATEGORIES}})
    return 200, orjson.dumps({"id": "modr-" + rand_id(), "model": body.get("model") or "omni-moderation-latest",
                              "results": results})


def _text(document):
    return document if isinstance(document, str) else document.get("text") if isinstance(document, dict) else None


def rerank(body: dict, config: dict):
    query, documents = body.get("query"), body.get("documents")
    texts = [_text(d) for d in documents] if isinstance(documents, list) else None
    if not isinstance(query, str) or not texts or any(t is None for t in texts):
        return 400, _error("'query' and 'documents' are required.")
    words = set(query.lower().split())
    scored = []
    for index, text in enumerate(texts):
        found = set(text.lower().split())
        share = len(words & found) / (len(words) or 1)
        tiebreak = int.from_bytes(hashlib.sha256(text.encode()).digest()[:2], "little") / 1e7
        scored.append((round(share + tiebreak, 6), index))
    scored.sort(reverse=True)
    top = body.get("top_n") or len(scored)
    results = []
    for score, index in scored[:top]:
        result = {"index": index, "relevance_score": score}
        if body.get("return_documents"):
            result["document"] = {"text": texts[index]}
        results.append(result)
    if config.get("rerank_shape") == "cohere":
        units = config.get("search_units") or -(-len(texts) // 100)
        return 200, orjson.dumps({"id": rand_id(), "results": results,
                                  "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": units}}})
    out = {"model": body.get("model"), "results": results}
    if config.get("usage", True) is not False:
        out["usage"] = {"total_tokens": _words(query) * len(texts) + sum(_words(t) for t in texts)}
    return 200, orjson.dumps(out)


def _error(message: str) -> bytes:
    return orjson.dumps({"error": {"message": message, "type": "invalid_request_error", "param": None,
                                   "code": None}})


ANSWERS = {"/v1/embeddings": embeddings, "/v1/moderations": moderations, "/v1/rerank": rerank}


def answer(suffix: str, body, config: dict):
    """(status, JSON bytes) for a POST to one of PATHS."""
    if not isinstance(body, dict):
        return 400, _error("We could not parse the JSON body of your request.")
    return ANSWERS[suffix](body, config)

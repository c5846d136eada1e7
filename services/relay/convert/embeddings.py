"""Embeddings between wires: OpenAI's base64 vectors (little-endian
float32) and Gemini's embedContent / batchEmbedContents on an upstream that
speaks openai.embeddings.

Gemini's request is one `content` (embedContent) or `requests[]` of them
(batchEmbedContents); each content's text parts make one input, joined by
newlines (Gemini embeds a content's parts as one text). `outputDimensionality`
is OpenAI's `dimensions`, so a batch must ask one size for all; `taskType`
and `title` have no OpenAI equivalent and are not sent. The answer is
`{"embedding": {"values"}}` or `{"embeddings": [{"values"}]}`, in the
order of the request."""
from __future__ import annotations

import base64
import struct


class EmbeddingRequestError(ValueError):
    """A Gemini embedding request we cannot read (the door answers 400)."""


def to_base64(values: list) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


def from_base64(text: str) -> list[float]:
    raw = base64.b64decode(text)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw[:len(raw) // 4 * 4]))


def floats(item) -> list:
    """An OpenAI embedding as floats, whichever encoding it came in."""
    return from_base64(item) if isinstance(item, str) else list(item)


def content_text(content, where: str) -> str:
    if not isinstance(content, dict) or not isinstance(content.get("parts"), list) or not content["parts"]:
        raise EmbeddingRequestError(f"* {where}.content: content is not specified")
    texts = []
    for part in content["parts"]:
        if not isinstance(part, dict) or not isinstance(part.get("text"), str):
            raise EmbeddingRequestError(f"* {where}.content.parts: only text parts can be embedded here")
        texts.append(part["text"])
    text = "\n".join(texts)
    if not text:
        raise EmbeddingRequestError(f"* {where}.content: the text is empty")
    return text


def _dimensions(request: dict, where: str):
    value = request.get("outputDimensionality")
    if value is None:
        config = request.get("embedContentConfig")
        value = config.get("outputDimensionality") if isinstance(config, dict) else None
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise EmbeddingRequestError(f"* {where}.outputDimensionality must be a positive integer")
    return value


def requests_of(body: dict, *, batch: bool) -> list[dict]:
    if not batch:
        return [body]
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests or any(not isinstance(r, dict) for r in requests):
        raise EmbeddingRequestError("* BatchEmbedContentsRequest.requests: requests is not specified")
    return requests


def read(body: dict, *, batch: bool) -> tuple[list[str], int | None]:
    """(the texts to embed, the dimensions asked or None); raises
    EmbeddingRequestError for what Gemini would refuse or OpenAI cannot say."""
    requests = requests_of(body, batch=batch)
    where = "BatchEmbedContentsRequest.requests[{}]" if batch else "EmbedContentRequest"
    texts, sizes = [], set()
    for n, request in enumerate(requests):
        place = where.format(n)
        texts.append(content_text(request.get("content"), place))
        sizes.add(_dimensions(request, place))
    if len(sizes) > 1:
        raise EmbeddingRequestError("* outputDimensionality must be the same for every request of a batch")
    return texts, sizes.pop()


def gemini_to_openai_request(body: dict, *, upstream_model: str, batch: bool) -> dict:
    texts, dimensions = read(body, batch=batch)
    out = {"model": upstream_model, "input": texts}
    if dimensions is not None:
        out["dimensions"] = dimensions
    return out


def openai_to_gemini_answer(answer: dict, *, batch: bool) -> dict:
    data = [d for d in answer.get("data") or () if isinstance(d, dict)]
    data.sort(key=lambda d: d.get("index") if isinstance(d.get("index"), int) else 0)
    embeddings = [{"values": floats(d.get("embedding") or [])} for d in data]
    if batch:
        return {"embeddings": embeddings}
    return {"embedding": embeddings[0] if embeddings else {"values": []}}

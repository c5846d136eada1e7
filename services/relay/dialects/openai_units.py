"""The non-chat OpenAI families' answers, each with its usage reader:
embeddings ("openai.embeddings": `usage.prompt_tokens`), moderations
("openai.moderations": no usage on the real API) and rerank ("openai.rerank":
Jina's `usage.total_tokens`, or Cohere's `meta.billed_units.search_units`).

None means the upstream reported nothing: the call is then billed on the
door's local measure (services.relay.meter.Meter.billable). Their answers
are never streamed, so observe_event has nothing to see."""
from __future__ import annotations

from types import SimpleNamespace

from services.billing.pricing import Usage
from services.relay.dialects._numbers import count, first


def _tokens_usage(usage) -> Usage | None:
    """{prompt_tokens, total_tokens}: what an embedding (or a moderation,
    where an upstream reports it) read. All zero is no report: work was
    done, so the local measure bills it."""
    if not isinstance(usage, dict):
        return None
    tokens = first(usage.get("prompt_tokens"), usage.get("total_tokens"), usage.get("input_tokens"))
    return Usage(prompt_tokens=tokens) if tokens else None


def _rerank_usage(answer) -> Usage | None:
    if not isinstance(answer, dict):
        return None
    meta = answer.get("meta")
    billed = meta.get("billed_units") if isinstance(meta, dict) else None
    units = count(billed.get("search_units")) if isinstance(billed, dict) else 0
    if units:  # Cohere: billed by search unit, no token count
        return Usage(search_units=units)
    usage = answer.get("usage")
    if isinstance(usage, dict):  # Jina: the tokens of every (query, document) pair
        tokens = first(usage.get("total_tokens"), usage.get("prompt_tokens"))
        if tokens:
            return Usage(prompt_tokens=tokens)
    return None


def _ignore(meter, event) -> None:
    return None


def _family(name: str, read_usage, read_answer):
    def observe_answer(meter, answer: dict) -> None:
        meter.usage = read_answer(answer)
    return SimpleNamespace(NAME=name, read_usage=read_usage, observe_event=_ignore, observe_answer=observe_answer)


def _usage_of(answer):
    return _tokens_usage(answer.get("usage")) if isinstance(answer, dict) else None


embeddings = _family("openai.embeddings", _tokens_usage, _usage_of)
moderations = _family("openai.moderations", _tokens_usage, _usage_of)
# Rerank's usage is spread over the answer (Cohere's meta, Jina's usage).
rerank = _family("openai.rerank", _rerank_usage, _rerank_usage)

FAMILIES = (embeddings, moderations, rerank)

"""OpenAI Responses ("openai.responses"): the usage object.

`input_tokens` includes every input token, cached or not; cache reads are
`input_tokens_details.cached_tokens`, cache writes (where reported)
`input_tokens_details.cache_write_tokens`; `output_tokens` includes
`output_tokens_details.reasoning_tokens`."""
from __future__ import annotations

from services.pricing import Usage
from services.relay.dialects._numbers import count, first

NAME = "openai.responses"


def _details(value) -> dict:
    return value if isinstance(value, dict) else {}


def read_usage(usage) -> Usage | None:
    """The usage of a Response (or of a terminal stream event's response); None when there is none."""
    if not isinstance(usage, dict):
        return None
    details = _details(usage.get("input_tokens_details"))
    output_details = _details(usage.get("output_tokens_details"))
    return Usage(prompt_tokens=count(usage.get("input_tokens")),
                 completion_tokens=count(usage.get("output_tokens")),
                 cached_tokens=count(details.get("cached_tokens")),
                 cache_write_tokens=first(details.get("cache_write_tokens"),
                                          details.get("cache_creation_tokens")),
                 reasoning_tokens=count(output_details.get("reasoning_tokens")))


def usage_dict(usage: Usage | None) -> dict:
    """`usage` as Responses clients read it. Both details objects are always
    there with integers, and so is total_tokens: Codex fails to parse
    `response.completed` without them and replays the whole turn."""
    usage = usage or Usage()
    prompt, completion = count(usage.prompt_tokens), count(usage.completion_tokens)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": count(usage.cached_tokens),
                                 "cache_write_tokens": count(usage.cache_write_tokens)},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": count(usage.reasoning_tokens)},
        "total_tokens": prompt + completion,
    }

"""Prices and usage in integers. Prices are credits per 1M tokens; a request
costs the ceiling of its token cost plus the flat request price."""
from __future__ import annotations

from dataclasses import dataclass

PER = 1_000_000


@dataclass(frozen=True)
class Price:
    input: int = 0
    output: int = 0
    cache_read: int | None = None  # None: cached input costs `input`
    request: int = 0
    cache_write: int | None = None  # None: prompt-cache writes cost `input`

    @property
    def worst_input(self) -> int:
        """The highest per-token input price, for bounds."""
        return max(self.input, self.cache_read or 0, self.cache_write or 0)


@dataclass
class Usage:
    prompt_tokens: int = 0          # all input tokens, cached ones included
    completion_tokens: int = 0
    cached_tokens: int = 0          # input tokens read from a prompt cache
    cache_write_tokens: int = 0     # input tokens written to a prompt cache (Anthropic)
    estimated: bool = False         # counted locally: the upstream sent no usage
    reasoning_tokens: int = 0       # of completion_tokens, spent thinking (billed as output)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def cost(price: Price, usage: Usage) -> int:
    cached = min(max(usage.cached_tokens, 0), usage.prompt_tokens)
    written = min(max(usage.cache_write_tokens, 0), usage.prompt_tokens - cached)
    read_price = price.input if price.cache_read is None else price.cache_read
    write_price = price.input if price.cache_write is None else price.cache_write
    micro = ((usage.prompt_tokens - cached - written) * price.input + cached * read_price
             + written * write_price + usage.completion_tokens * price.output)
    return _ceil_div(max(micro, 0), PER) + price.request


def hold(price: Price, prompt_bound: int, output_bound: int) -> int:
    """The most a request can cost: every prompt token at the dearest input
    price and every allowed output token."""
    micro = prompt_bound * price.worst_input + output_bound * price.output
    return _ceil_div(micro, PER) + price.request


def affordable_output(price: Price, budget: int, prompt_bound: int) -> int:
    """How many output tokens `budget` credits pay for after the prompt."""
    room = (budget - price.request) * PER - prompt_bound * price.worst_input
    if room < 0:
        return 0
    if price.output <= 0:
        return 1 << 30
    return room // price.output

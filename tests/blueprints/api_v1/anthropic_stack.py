"""A Tollgate with an OpenAI-format channel and an Anthropic-format channel
on the fake upstream, and Claude model names mapped onto both."""
from __future__ import annotations

from tests.support.stack import Stack

# Credits per 1M tokens: whole credits per token, so costs are exact integers.
PRICES = {"input_price": 3_000_000, "output_price": 7_000_000, "request_price": 0}
CACHED = {"cache_read_price": 1_000_000, "cache_write_price": 4_000_000}
CAP = 8192  # what the OpenAI-format upstream accepts, like deepseek-chat


def seed(stack: Stack, upstream_v1: str) -> None:
    stack.set_model("deepseek-chat", max_output_tokens=CAP, **PRICES)
    stack.set_model("claude-native", max_output_tokens=32000, **PRICES, **CACHED)
    stack.add_channel("openai-format", upstream_v1, ["deepseek-chat"])
    stack.add_channel("anthropic-format", upstream_v1, ["claude-native"], provider="anthropic",
                      model_map={"claude-native": "claude-upstream-name"})
    with stack.app.app_context():
        from services.catalog.models import set_alias

        set_alias("claude-sonnet-4-*", "deepseek-chat")
        set_alias("claude-haiku-*", "claude-native")
        set_alias("claude-opus-*", "deepseek-chat")


def cost(prompt: int, completion: int, read: int = 0, write: int = 0, cached_prices: bool = False) -> int:
    read_price = CACHED["cache_read_price"] if cached_prices else PRICES["input_price"]
    write_price = CACHED["cache_write_price"] if cached_prices else PRICES["input_price"]
    micro = (prompt * PRICES["input_price"] + read * read_price + write * write_price
             + completion * PRICES["output_price"])
    return -(-micro // 1_000_000)

"""Usage conversions (docs/protocols.md §2)."""
from __future__ import annotations

import pytest

from services.relay.convert import anthropic_usage_to_openai, openai_usage_to_anthropic


@pytest.mark.parametrize("usage, expected", [
    ({"prompt_tokens": 100, "completion_tokens": 20},
     {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}),
    # OpenAI / Qwen cached tokens
    ({"prompt_tokens": 100, "completion_tokens": 20, "prompt_tokens_details": {"cached_tokens": 60}},
     {"input_tokens": 40, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 60}),
    # DeepSeek
    ({"prompt_tokens": 100, "completion_tokens": 5, "prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 36},
     {"input_tokens": 36, "output_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 64}),
    # OpenRouter cache writes
    ({"prompt_tokens": 100, "completion_tokens": 5,
      "prompt_tokens_details": {"cached_tokens": 10, "cache_write_tokens": 30}},
     {"input_tokens": 60, "output_tokens": 5, "cache_creation_input_tokens": 30, "cache_read_input_tokens": 10}),
    ({"prompt_tokens": 100, "completion_tokens": 5, "cache_creation_tokens": 25},
     {"input_tokens": 75, "output_tokens": 5, "cache_creation_input_tokens": 25, "cache_read_input_tokens": 0}),
    # never negative
    ({"prompt_tokens": 10, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 50}},
     {"input_tokens": 0, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 50}),
    ({}, {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}),
    ({"prompt_tokens": None, "completion_tokens": "7"},
     {"input_tokens": 0, "output_tokens": 7, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}),
])
def test_openai_to_anthropic(usage, expected):
    assert openai_usage_to_anthropic(usage) == expected


def test_anthropic_to_openai_adds_cache_back_into_prompt():
    out = anthropic_usage_to_openai({"input_tokens": 40, "output_tokens": 20,
                                     "cache_read_input_tokens": 60, "cache_creation_input_tokens": 0})
    assert out == {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
                   "prompt_tokens_details": {"cached_tokens": 60}}


def test_anthropic_to_openai_reports_cache_writes():
    out = anthropic_usage_to_openai({"input_tokens": 5, "output_tokens": 1,
                                     "cache_read_input_tokens": 0, "cache_creation_input_tokens": 95})
    assert out["prompt_tokens"] == 100 and out["total_tokens"] == 101
    assert out["prompt_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 95}


def test_round_trip_keeps_every_count():
    anthropic = {"input_tokens": 12, "output_tokens": 34, "cache_read_input_tokens": 56,
                 "cache_creation_input_tokens": 78}
    assert openai_usage_to_anthropic(anthropic_usage_to_openai(anthropic)) == anthropic

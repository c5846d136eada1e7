"""The meter reads usage through the upstream's dialect: one reader per
wire format, the same the converters use."""
from __future__ import annotations

import pytest

from services.billing.pricing import Usage
from services.relay.dialects import DIALECTS, anthropic_messages, gemini, openai_chat, openai_completions, \
    openai_responses
from services.relay.meter import Meter


def meter(dialect) -> Meter:
    return Meter(0.0, dialect)


def test_openai_chat_stream_usage_and_text():
    m = meter(openai_chat)
    m.observe({"choices": [{"index": 0, "delta": {"content": "Hello"}}]})
    m.observe({"choices": [{"index": 0, "delta": {"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]},
                            "finish_reason": "tool_calls"}]})
    m.observe({"choices": [], "usage": {"prompt_tokens": 510, "completion_tokens": 5,
                                        "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 400},
                                        "completion_tokens_details": {"reasoning_tokens": 3}}})
    assert m.finish_reason == "tool_calls" and m.first_token_at is not None
    assert m.billable(1) == Usage(prompt_tokens=510, completion_tokens=5, cached_tokens=100,
                                  cache_write_tokens=400, reasoning_tokens=3)


def test_anthropic_usage_is_cumulative_not_summed():
    m = meter(anthropic_messages)
    m.observe({"type": "message_start", "message": {"usage": {"input_tokens": 10, "cache_read_input_tokens": 100,
                                                              "cache_creation_input_tokens": 400, "output_tokens": 1}}})
    m.observe({"type": "content_block_delta", "delta": {"type": "text_delta", "text": "hi"}})
    m.observe({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 4}})
    m.observe({"type": "message_delta", "usage": {"output_tokens": 5}})
    assert m.billable(1) == Usage(prompt_tokens=510, completion_tokens=5, cached_tokens=100, cache_write_tokens=400)
    assert m.finish_reason == "end_turn"


def test_responses_terminal_event_carries_the_usage_even_when_incomplete():
    m = meter(openai_responses)
    m.observe({"type": "response.output_text.delta", "delta": "part"})
    m.observe({"type": "response.incomplete", "response": {"status": "incomplete", "usage": {
        "input_tokens": 20, "input_tokens_details": {"cached_tokens": 5}, "output_tokens": 7,
        "output_tokens_details": {"reasoning_tokens": 2}}}})
    assert m.billable(1) == Usage(prompt_tokens=20, completion_tokens=7, cached_tokens=5, reasoning_tokens=2)
    assert m.finish_reason == "length"


def test_gemini_stream_last_usage_counts_thoughts_and_tool_use_prompts():
    m = meter(gemini)
    m.observe({"candidates": [{"content": {"parts": [{"text": "thinking", "thought": True}]}}],
               "usageMetadata": {"promptTokenCount": 500}})
    m.observe({"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]},
                               "finishReason": "STOP"}],
               "usageMetadata": {"promptTokenCount": 500, "toolUsePromptTokenCount": 10, "candidatesTokenCount": 2,
                                 "thoughtsTokenCount": 3, "cachedContentTokenCount": 100}})
    assert m.billable(1) == Usage(prompt_tokens=510, completion_tokens=5, cached_tokens=100, reasoning_tokens=3)
    assert m.finish_reason == "STOP" and m.first_token_at is not None


def test_legacy_completions_read_text_and_usage():
    m = meter(openai_completions)
    m.observe({"choices": [{"text": "Once", "index": 0, "finish_reason": None}]})
    m.observe({"choices": [{"text": "", "index": 0, "finish_reason": "length"}]})
    m.observe({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 16}})
    assert m.billable(1) == Usage(prompt_tokens=7, completion_tokens=16) and m.finish_reason == "length"
    assert set(DIALECTS) == {"openai.chat", "anthropic.messages", "openai.responses", "gemini", "openai.completions",
                             "openai.audio.speech", "openai.audio.transcriptions", "openai.images",
                             "openai.embeddings", "openai.moderations", "openai.rerank", "openai.realtime"}


@pytest.mark.parametrize("dialect, answer", [
    (openai_completions, {"choices": [{"text": "abcdefgh", "finish_reason": "stop"}]}),
    (gemini, {"candidates": [{"content": {"parts": [{"text": "abcdefgh"}]}, "finishReason": "STOP"}]}),
    (openai_chat, {"choices": [{"message": {"content": "abcdefgh"}, "finish_reason": "stop"}]}),
    (anthropic_messages, {"content": [{"type": "text", "text": "abcdefgh"}], "stop_reason": "end_turn"}),
    (openai_responses, {"status": "completed", "output": [{"type": "message",
                                                            "content": [{"type": "output_text", "text": "abcdefgh"}]}]}),
])
def test_without_usage_the_estimate_is_marked(dialect, answer):
    m = meter(dialect)
    m.observe_answer(answer)
    billed = m.billable(prompt_estimate=12)
    assert billed.estimated and billed.prompt_tokens == 12 and billed.completion_tokens == 2


def test_one_reading_of_the_same_usage_in_every_dialect():
    """The same tokens told three ways read as one Usage."""
    chat = openai_chat.read_usage({"prompt_tokens": 510, "completion_tokens": 5,
                                   "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 400}})
    anthropic = anthropic_messages.read_usage({"input_tokens": 10, "cache_read_input_tokens": 100,
                                               "cache_creation_input_tokens": 400, "output_tokens": 5})
    responses = openai_responses.read_usage({"input_tokens": 510, "output_tokens": 5, "input_tokens_details": {
        "cached_tokens": 100, "cache_write_tokens": 400}})
    assert chat == anthropic == responses
    # And each writer gives back what its reader reads.
    for dialect in (openai_chat, anthropic_messages, openai_responses):
        assert dialect.read_usage(dialect.usage_dict(chat)) == chat


def test_unit_families_read_their_usage_and_leave_the_rest_to_the_measure():
    from services.relay.dialects import openai_units

    measure = Usage(prompt_tokens=9, search_units=2)
    m = meter(openai_units.embeddings)
    m.observe_answer({"data": [], "usage": {"prompt_tokens": 5, "total_tokens": 5}})
    assert m.billable(1, Usage(prompt_tokens=9)) == Usage(prompt_tokens=5)
    m = meter(openai_units.embeddings)
    m.observe_answer({"data": [], "usage": {"prompt_tokens": 0, "total_tokens": 0}})  # no report: the measure
    assert m.billable(1, Usage(prompt_tokens=9)) == Usage(prompt_tokens=9, estimated=True)
    m = meter(openai_units.moderations)
    m.observe_answer({"id": "modr-1", "results": []})
    assert m.billable(1, Usage(prompt_tokens=3)) == Usage(prompt_tokens=3, estimated=True)
    m = meter(openai_units.rerank)
    m.observe_answer({"results": [], "usage": {"total_tokens": 40}})  # Jina: tokens, our search units
    assert m.billable(1, measure) == Usage(prompt_tokens=40, search_units=2)
    m = meter(openai_units.rerank)
    m.observe_answer({"results": [], "meta": {"billed_units": {"search_units": 1}}})  # Cohere: its units
    assert m.billable(1, measure) == Usage(search_units=1)

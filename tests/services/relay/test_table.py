"""The converter table and the plan: pass-through where the channel speaks
the client's dialect, a converter (direct or through chat) where it can,
nothing where it cannot."""
from __future__ import annotations

import pytest

from services.catalog.snapshot import ChannelInfo
from services.relay.adapters.base import StreamEvent
from services.relay.convert.table import PASSTHROUGH, Chain, Target, plan

TARGET = Target(upstream_model="up", client_model="client", max_output_tokens=100, prompt_estimate=5)


def channel(provider: str, speaks: tuple = ()) -> ChannelInfo:
    return ChannelInfo(id=1, name="c", provider=provider, base_url="http://x/v1", api_key="k", models=("m",),
                       model_map={}, priority=0, weight=1, speaks=speaks)


@pytest.mark.parametrize("client, provider, speaks, upstream, direct", [
    ("openai.chat", "openai", (), "openai.chat", True),
    ("anthropic.messages", "openai", (), "openai.chat", False),
    ("openai.responses", "openai", (), "openai.chat", False),
    ("openai.responses", "openai", ("openai.chat", "openai.responses"), "openai.responses", True),
    ("openai.chat", "openai", ("openai.responses",), "openai.responses", False),
    ("openai.chat", "anthropic", (), "anthropic.messages", False),
    ("anthropic.messages", "anthropic", (), "anthropic.messages", True),
    ("openai.responses", "anthropic", (), "anthropic.messages", False),
    ("openai.chat", "gemini", (), "gemini", False),
    ("anthropic.messages", "gemini", (), "gemini", False),
    ("openai.responses", "gemini", (), "gemini", False),
    ("gemini", "gemini", (), "gemini", True),
    ("openai.completions", "openai", (), "openai.chat", False),
    ("openai.completions", "openai", ("openai.chat", "openai.completions"), "openai.completions", True),
    ("openai.completions", "anthropic", (), "anthropic.messages", False),
    ("openai.completions", "gemini", (), "gemini", False),
])
def test_plan(client, provider, speaks, upstream, direct):
    dialect, converter = plan(client, channel(provider, speaks))
    assert dialect == upstream and (converter is None) == direct


def test_a_channel_that_speaks_nothing_convertible_is_not_planned():
    assert plan("openai.chat", channel("openai", ("openai.embeddings",))) is None


def test_responses_to_anthropic_goes_through_chat():
    _, converter = plan("openai.responses", channel("anthropic"))
    assert isinstance(converter, Chain)
    body, state = converter.request({"model": "client", "instructions": "Be brief.", "input": "hi",
                                     "max_output_tokens": 50}, TARGET)
    assert body["model"] == "up" and body["system"] and body["max_tokens"] == 100  # the limit the relay set
    answer = converter.answer({"id": "msg_1", "type": "message", "role": "assistant", "model": "up",
                               "content": [{"type": "text", "text": "Hello"}], "stop_reason": "end_turn",
                               "usage": {"input_tokens": 3, "output_tokens": 1}}, state, TARGET)
    assert answer["object"] == "response" and answer["output"][0]["content"][0]["text"] == "Hello"


def test_chained_stream_turns_anthropic_events_into_responses_events():
    _, converter = plan("openai.responses", channel("anthropic"))
    _, state = converter.request({"model": "client", "input": "hi", "stream": True}, TARGET)
    stream = converter.stream(state, TARGET)
    events = stream.start()
    for data in ({"type": "message_start", "message": {"usage": {"input_tokens": 3, "output_tokens": 1}}},
                 {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                 {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
                 {"type": "content_block_stop", "index": 0},
                 {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}}):
        events += stream.feed(StreamEvent(data))
    events += stream.feed(StreamEvent({"type": "message_stop"}, last=True))
    kinds = [e.chunk["type"] for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert "response.output_text.delta" in kinds and kinds[-1] == "response.completed" and events[-1].last
    assert stream.finish() == []  # already ended


def test_passthrough_changes_nothing():
    event = StreamEvent({"x": 1}, b"raw")
    assert PASSTHROUGH.feed(event) == [event] and PASSTHROUGH.start() == PASSTHROUGH.finish() == []

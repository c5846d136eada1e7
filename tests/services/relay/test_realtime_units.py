"""The realtime relay's small parts: the upstream URL, the usage reader, and
the SSRF guard on the upstream WebSocket."""
from __future__ import annotations

import pytest

from services.billing.pricing import Price, Usage, hold
from services.catalog.snapshot import ChannelInfo, ModelInfo, Timeouts
from services.relay.adapters.base import UpstreamError
from services.relay.dialects.openai_realtime import estimate, read_usage
from services.relay.realtime.billing import hold_for
from services.relay.realtime.upstream import connect, realtime_url
from services.ssrf import Policy


@pytest.mark.parametrize("base, url", [
    ("https://api.openai.com/v1", "wss://api.openai.com/v1/realtime?model=gpt%2Frt"),
    ("http://127.0.0.1:8080/v1/", "ws://127.0.0.1:8080/v1/realtime?model=gpt%2Frt"),
    ("https://proxy.example/openai", "wss://proxy.example/openai/realtime?model=gpt%2Frt"),
])
def test_the_upstream_url(base, url):
    assert realtime_url(base, "gpt/rt") == url


def test_the_usage_of_a_response_done():
    usage = {"total_tokens": 300, "input_tokens": 200, "output_tokens": 100,
             "input_token_details": {"cached_tokens": 150, "text_tokens": 50, "audio_tokens": 150,
                                     "image_tokens": 10},
             "output_token_details": {"text_tokens": 20, "audio_tokens": 80}}
    assert read_usage(usage) == Usage(prompt_tokens=200, completion_tokens=100, cached_tokens=150,
                                      image_input_tokens=10)
    assert read_usage(None) is None and read_usage({}) == Usage()
    assert estimate("abcdefgh") == Usage(completion_tokens=2, estimated=True)


def test_one_responses_hold():
    price = Price(input=1_000_000, output=2_000_000, cache_read=500_000)
    model = ModelInfo("m", "m", "chat", (), "o", 1000, 500, price, True, True, 0)
    assert hold_for(model, 32768, 4096) == hold(price, 1000, 500) == 2000
    bare = ModelInfo("m", "m", "chat", (), "o", None, None, price, True, True, 0)
    assert hold_for(bare, 32768, 4096) == 32768 + 2 * 4096


def test_a_private_upstream_is_refused_unless_allow_listed():
    channel = ChannelInfo(1, "rt", "openai", "http://127.0.0.1:9/v1", "sk-x", ("m",), {}, 0, 1,
                          timeouts=Timeouts(1.0, 1.0, policy=Policy()), speaks=("openai.realtime",))
    with pytest.raises(UpstreamError) as refused:
        connect(channel, "m")
    assert refused.value.blocked and refused.value.status is None

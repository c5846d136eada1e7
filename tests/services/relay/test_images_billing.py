"""The images dialect's reader and the door's tiers and formats, without a
server: what an answer or a stream bills on, and which tier is held."""
from __future__ import annotations

import pytest

from services.billing.pricing import Price, Usage, cost
from services.relay.dialects import openai_images
from services.relay.doors.openai_images import dearest_tier, image_format
from services.relay.meter import Meter

TABLE = {"1024x1024/standard": 40, "1024x1024/hd": 80, "1792x1024/hd": 120, "*/low": 5, "512x512": 20}
USAGE = {"input_tokens": 50, "input_tokens_details": {"text_tokens": 20, "image_tokens": 30}, "output_tokens": 900}


def meter() -> Meter:
    return Meter(0.0, openai_images)


def test_an_answer_bills_its_images_tier_and_tokens():
    m = meter()
    m.observe_answer({"data": [{"b64_json": "x"}] * 2, "size": "1024x1024", "quality": "High", "usage": USAGE})
    assert m.billable(0) == Usage(prompt_tokens=50, completion_tokens=900, image_input_tokens=30, images=2,
                                  image_tier="1024x1024/high")
    price = Price(input=1_000_000, image_input=2_000_000, output=3_000_000)
    assert cost(price, m.billable(0)) == 20 + 60 + 2700


def test_an_answer_without_usage_bills_its_images_at_the_measured_tier():
    m = meter()
    m.observe_answer({"created": 1, "data": [{"url": "https://x"}]})
    billed = m.billable(0, Usage(images=3, image_tier="1024x1024/hd", estimated=True))
    assert (billed.images, billed.image_tier, billed.estimated) == (1, "1024x1024/hd", True)


def test_a_stream_counts_completed_events_and_the_input_once():
    m = meter()
    for _ in range(2):
        m.observe({"type": "image_generation.partial_image", "b64_json": "x"})
        m.observe({"type": "image_generation.completed", "size": "1024x1024", "quality": "low", "usage": USAGE})
    assert m.billable(0) == Usage(prompt_tokens=50, completion_tokens=1800, image_input_tokens=30, images=2,
                                  image_tier="1024x1024/low")
    assert m.ttft_ms is not None


@pytest.mark.parametrize("size, quality, tier", [
    ("1024x1024", "hd", "1024x1024/hd"), ("1024x1024", None, "1024x1024/hd"), (None, None, "1792x1024/hd"),
    ("auto", "auto", "1792x1024/hd"), (None, "low", "512x512"), ("1792x1024", "low", "1792x1024/low"), ("512x512", None, "512x512"),
    ("256x256", "hd", "256x256/hd"),
])
def test_the_held_tier_is_the_dearest_it_could_be(size, quality, tier):
    price = Price(image=TABLE)
    assert dearest_tier(price, size, quality) == tier
    assert price.image_price(tier) == price.dearest_image(size, quality)


@pytest.mark.parametrize("head, kind", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", "png"), (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"), (b"GIF89a\x01\x00", None), (b"%PDF-1.7", None), (b"", None),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
])
def test_image_formats_by_their_magic_bytes(head, kind):
    assert image_format(head) == kind

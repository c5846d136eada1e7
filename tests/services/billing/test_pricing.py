import pytest

from services.billing.pricing import Price, Usage, affordable_output, cost, hold


def test_cost_is_ceiling_of_token_cost_plus_request_price():
    price = Price(input=1_000_000, output=3_000_000, request=7)
    # 10 input tokens at 1 credit each + 5 output at 3 each + 7 flat.
    assert cost(price, Usage(prompt_tokens=10, completion_tokens=5)) == 10 + 15 + 7


def test_cost_rounds_fractions_up_never_down():
    price = Price(input=1, output=1)
    assert cost(price, Usage(prompt_tokens=1, completion_tokens=0)) == 1
    assert cost(price, Usage()) == 0


def test_cached_tokens_priced_separately_when_the_model_says_so():
    price = Price(input=2_000_000, output=0, cache_read=500_000)
    usage = Usage(prompt_tokens=100, cached_tokens=80)
    assert cost(price, usage) == 20 * 2 + 80 // 2


def test_cached_tokens_cost_the_input_price_without_a_cache_price():
    price = Price(input=2_000_000)
    assert cost(price, Usage(prompt_tokens=100, cached_tokens=80)) == 200


def test_cached_count_can_not_exceed_prompt():
    price = Price(input=1_000_000, cache_read=0)
    assert cost(price, Usage(prompt_tokens=10, cached_tokens=50)) == 0


def test_hold_bounds_every_cost_within_the_bounds():
    price = Price(input=1_500_000, output=4_000_000, cache_read=300_000, request=3)
    limit = hold(price, prompt_bound=1000, output_bound=500)
    for prompt in (0, 1, 999, 1000):
        for cached in (0, prompt // 2, prompt):
            for out in (0, 250, 500):
                assert cost(price, Usage(prompt, out, cached)) <= limit


@pytest.mark.parametrize("budget", [0, 5, 1234, 10**9])
def test_affordable_output_is_the_largest_that_fits(budget):
    price = Price(input=1_000_000, output=3_000_000, request=2)
    n = affordable_output(price, budget, prompt_bound=40)
    if n:
        assert hold(price, 40, n) <= budget
    assert hold(price, 40, n + 1) > budget


def test_affordable_output_unbounded_when_output_is_free():
    assert affordable_output(Price(input=1_000_000), 100, 10) > 10**6


# Units other than tokens (images, characters, seconds, search units).

IMAGE_TABLE = {"1024x1024/hd": 80_000, "1024x1024": 40_000, "1792x1024": 70_000, "*/hd": 90_000, "*": 30_000}


@pytest.mark.parametrize("tier, credits", [
    ("1024x1024/hd", 80_000),     # exact tier
    ("1024x1024/standard", 40_000),  # the size at any quality
    ("512x512/hd", 90_000),       # the quality at any size
    ("512x512/standard", 30_000),  # the catch-all
    (None, 30_000),
])
def test_an_image_costs_its_tier_then_its_size_then_its_quality_then_the_catch_all(tier, credits):
    price = Price(image=IMAGE_TABLE)
    assert cost(price, Usage(images=1, image_tier=tier)) == credits
    assert cost(price, Usage(images=3, image_tier=tier)) == 3 * credits


def test_the_dearest_image_bounds_every_tier_an_unknown_part_could_be():
    price = Price(image=IMAGE_TABLE)
    assert price.dearest_image("1024x1024", "hd") == 80_000
    assert price.dearest_image("1024x1024", None) == 80_000      # hd or standard
    assert price.dearest_image("1024x1024", "auto") == 80_000
    assert price.dearest_image(None, "standard") == 70_000        # any size, not hd
    assert price.dearest_image("auto", "auto") == 90_000
    assert Price().dearest_image("1024x1024", "hd") == 0
    for size in ("1024x1024", "1792x1024", "256x256"):
        for quality in ("hd", "standard"):
            assert price.image_price(f"{size}/{quality}") <= price.dearest_image(size, None)
            assert price.image_price(f"{size}/{quality}") <= price.dearest_image(None, None)


def test_characters_seconds_and_search_units_are_priced_in_their_units_and_rounded_up_once():
    price = Price(character=15_000_000, second=5_000, search_unit=100_000, request=7)
    # 1234 characters at 15M per 1M = 18510; 2.501 s at 5000/s = 12505; 2 search units.
    usage = Usage(characters=1234, audio_ms=2501, search_units=2)
    assert cost(price, usage) == -(-(1234 * 15_000_000 + 2501 * 5_000 * 1000) // 1_000_000) + 200_000 + 7
    assert cost(price, Usage(audio_ms=1)) == 5 + 7  # 1 ms at 5000 credits per second: 5 credits
    assert cost(Price(second=3), Usage(audio_ms=1)) == 1  # a fraction is rounded up, never down


def test_image_input_tokens_have_their_own_price_and_token_prices_add_to_unit_prices():
    price = Price(input=5_000_000, output=40_000_000, image_input=10_000_000, image={"*": 1000})
    usage = Usage(prompt_tokens=300, image_input_tokens=200, completion_tokens=1000, images=1)
    assert cost(price, usage) == -(-(100 * 5_000_000 + 200 * 10_000_000 + 1000 * 40_000_000) // 1_000_000) + 1000
    assert cost(Price(input=5_000_000), usage) == -(-(300 * 5_000_000) // 1_000_000)  # image input at the input price


def test_units_the_upstream_did_not_report_come_from_the_local_measure():
    measure = Usage(audio_ms=61_000, characters=10, search_units=1, images=2, image_tier="1024x1024/hd")
    reported = Usage(prompt_tokens=50, audio_ms=60_000)
    merged = reported.with_units_from(measure)
    assert (merged.prompt_tokens, merged.audio_ms, merged.characters, merged.search_units, merged.images,
            merged.image_tier) == (50, 60_000, 10, 1, 2, "1024x1024/hd")
    assert reported.audio_ms == 60_000 and reported.images == 0  # the reported usage itself is left alone
    assert reported.with_units_from(None) is reported

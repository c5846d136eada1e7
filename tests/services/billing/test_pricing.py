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

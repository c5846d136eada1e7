"""The usage chart's layout: bars stacked by model, five coloured series
and the rest as "other"."""
from datetime import date, timedelta

from blueprints.dashboard.chart import OTHER, SERIES, daily_chart

DAY = date(2026, 11, 1)


def test_bars_stack_each_days_models_with_the_rest_as_other():
    credits = {f"m{i}": 100 * (7 - i) for i in range(7)}  # m0 most expensive ... m6 least
    days = [(DAY, sum(credits.values()), 7), (DAY + timedelta(days=1), 0, 0)]
    models = [(m, c, 1) for m, c in credits.items()]
    chart = daily_chart(days, {DAY: credits}, models)

    assert chart.legend == [(0, "m0"), (1, "m1"), (2, "m2"), (3, "m3"), (4, "m4"), (SERIES, OTHER)]
    full, empty = chart.bars
    assert [(s.series, s.model, s.credits) for s in full.segments] == [
        (0, "m0", 700), (1, "m1", 600), (2, "m2", 500), (3, "m3", 400), (4, "m4", 300), (SERIES, OTHER, 300)]
    # Stacked bottom-up: the segments fill the bar exactly, without gaps.
    assert abs(sum(s.height for s in full.segments) - full.height) < 0.1
    assert abs(full.segments[0].y + full.segments[0].height - chart.base_y) < 0.01
    for lower, upper in zip(full.segments, full.segments[1:]):
        assert abs(upper.y + upper.height - lower.y) < 0.02
    assert empty.segments == () and empty.height == 0


def test_few_models_need_no_other_series():
    chart = daily_chart([(DAY, 30, 2)], {DAY: {"a": 20, "b": 10}}, [("a", 20, 1), ("b", 10, 1)])
    assert chart.legend == [(0, "a"), (1, "b")]
    assert [s.model for s in chart.bars[0].segments] == ["a", "b"]

"""Credits per day as an SVG bar chart, each bar stacked by model, laid out
here and drawn by the template (no JavaScript, nothing from another site)."""
from __future__ import annotations

from dataclasses import dataclass

from blueprints.storefront import short_credits

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
# The most expensive models get their own colour; the rest share "other".
SERIES = 5
OTHER = "other"


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    series: int        # colour index; SERIES is "other"
    model: str
    credits: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    credits: int
    requests: int
    segments: tuple = ()


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]      # (y, label) on the credit axis
    labels: list[tuple[float, str]]     # (x, label) under some bars
    base_y: float
    left: int
    legend: list[tuple[int, str]] = ()  # (series, model name)


def nice_max(value: int) -> int:
    """A round axis top at or above value: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _segments(per_model: dict, series: dict, x_base: float, scale: float) -> tuple:
    """Stack one day's models bottom-up in legend order, "other" on top."""
    parts: dict[int, list] = {}
    for model, credits in per_model.items():
        index = series.get(model, SERIES)
        entry = parts.setdefault(index, [OTHER if index == SERIES else model, 0])
        entry[1] += credits
    out, y = [], x_base
    for index in sorted(parts):
        model, credits = parts[index]
        h = credits * scale
        y -= h
        out.append(Segment(round(y, 2), round(h, 2), index, model, credits))
    return tuple(out)


def daily_chart(days: list[tuple], by_model: dict | None = None, models: list[tuple] | None = None) -> Chart:
    """days: (date, credits, requests), oldest first; by_model: {date:
    {model: credits}}; models: (model, credits, requests), most credits
    first, which picks the coloured series."""
    by_model = by_model or {}
    ranked = [m for m, credits, _ in (models or []) if credits > 0]
    series = {model: i for i, model in enumerate(ranked[:SERIES])}
    legend = [(i, m) for m, i in series.items()] + ([(SERIES, OTHER)] if len(ranked) > SERIES else [])
    top = nice_max(max((c for _, c, _ in days), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    base = TOP + plot_h
    bars, labels = [], []
    for i, (day, credits, requests) in enumerate(days):
        h = plot_h * credits / top
        x = LEFT + i * slot
        bars.append(Bar(round(x + slot * 0.15, 2), round(base - h, 2), round(slot * 0.7, 2), round(h, 2),
                        day.isoformat(), credits, requests,
                        _segments(by_model.get(day, {}), series, base, plot_h / top)))
        if i % 5 == 0 or i == len(days) - 1:
            labels.append((round(x + slot / 2, 2), day.strftime("%m-%d")))
    ticks = [(round(base - plot_h * f, 2), short_credits(int(top * f))) for f in (0, 0.5, 1)]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, base, LEFT, legend)

"""Charts as geometry for inline SVG (the HTML templates draw them; labels stay escaped there)."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 120
BAR_AREA = 420
BAR_HEIGHT = 9
BAR_GAP = 1  # between the bars of one label
GROUP_GAP = 9  # between labels: clearly wider than BAR_GAP, so bars are read with their own label
TOP = 40


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    value: int
    series: int  # 0, 1, …: which colour


@dataclass(frozen=True)
class Row:
    label: str
    y: float  # the label's baseline: centred on the row's bars
    top: float  # the row's band (for a light background on every other row)
    height: float
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[str]
    rows: list[Row]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(title: str, series: list[str], data: list[tuple[str, list[int]]], *, drop_empty: bool = True) -> Chart:
    """Horizontal bars, one group per label, one bar per series, scaled to the largest value; labels whose
    values are all zero are left out unless `drop_empty` is False."""
    if drop_empty:
        data = [(label, values) for label, values in data if any(values)]
    largest = max((v for _, values in data for v in values), default=0) or 1
    bars_per_row = max((len(values) for _, values in data), default=1)
    row_height = bars_per_row * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + GROUP_GAP
    rows = []
    for index, (label, values) in enumerate(data):
        top = TOP + index * row_height
        first = top + GROUP_GAP / 2
        bars = [
            Bar(y=first + i * (BAR_HEIGHT + BAR_GAP), width=BAR_AREA * value / largest, value=value, series=i)
            for i, value in enumerate(values)
        ]
        middle = first + (len(values) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP) / 2
        rows.append(Row(label=label, y=middle + 4, top=top, height=row_height, bars=bars))
    height = TOP + row_height * len(data) + 10
    return Chart(title, series, rows, width=LABEL_WIDTH + BAR_AREA + 60, height=height)


# -- trend across editions ---------------------------------------------------------------------------------
TREND_LEFT = 56
TREND_WIDTH = 600
TREND_LINE_HEIGHT = 140
TREND_BAR_HEIGHT = 80


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    value: int
    label: str


@dataclass(frozen=True)
class TrendBar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int  # 0: added, 1: ended


@dataclass(frozen=True)
class Trend:
    title: str
    width: int
    height: int
    line: list[TrendPoint]  # programs per edition
    line_ticks: list[tuple[float, int]]  # (y, value) of the line panel's axis
    bars: list[TrendBar]
    bar_top: float
    bar_base: float
    x_labels: list[tuple[float, str]]  # a readable subset of edition labels
    series: list[str]
    left: int = TREND_LEFT


def _ticks(low: int, high: int, count: int = 4) -> list[int]:
    """Round axis values covering low..high."""
    span = max(high - low, 1)
    step = 10 ** max(len(str(span // count)) - 1, 0)
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= count:
            step *= factor
            break
    first = low // step * step
    return list(range(first, high + step, step))


def trend_chart(title: str, labels: list[str], programs: list[int], added: list[int], ended: list[int]) -> Trend:
    """Programs per edition as a line, and programs added and ended per edition as paired bars below it."""
    n = len(labels)
    step = TREND_WIDTH / max(n - 1, 1)
    xs = [TREND_LEFT + 10 + i * step for i in range(n)]
    ticks = _ticks(min(programs, default=0), max(programs, default=1))
    low, high = ticks[0], ticks[-1]
    line_top = 40

    def line_y(value: int) -> float:
        return line_top + TREND_LINE_HEIGHT * (1 - (value - low) / max(high - low, 1))

    line = [TrendPoint(x, line_y(v), v, label) for x, v, label in zip(xs, programs, labels, strict=True)]
    bar_top = line_top + TREND_LINE_HEIGHT + 34
    bar_base = bar_top + TREND_BAR_HEIGHT
    largest = max([*added, *ended, 1])
    width = min(10.0, step / 2.5)
    bars = []
    for x, a, e in zip(xs, added, ended, strict=True):
        for series, value, offset in ((0, a, -width), (1, e, 0.0)):
            height = TREND_BAR_HEIGHT * value / largest
            bars.append(TrendBar(x + offset, bar_base - height, width, height, value, series))
    every = max(1, -(-n // 8))  # at most about eight labels under the axis
    x_labels = [(x, label) for i, (x, label) in enumerate(zip(xs, labels, strict=True)) if i % every == 0 or i == n - 1]
    return Trend(
        title=title,
        width=int(TREND_LEFT + 20 + TREND_WIDTH + 30),
        height=int(bar_base + 40),
        line=line,
        line_ticks=[(line_y(t), t) for t in ticks],
        bars=bars,
        bar_top=bar_top,
        bar_base=bar_base,
        x_labels=x_labels,
        series=["事業数", "新規事業", "終了事業"],
    )

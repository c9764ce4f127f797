"""Bar charts as geometry for inline SVG (the HTML templates draw them; labels stay escaped there)."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 120
BAR_AREA = 420
ROW_HEIGHT = 22
BAR_HEIGHT = 8


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    value: int
    series: int  # 0, 1, …: which colour


@dataclass(frozen=True)
class Row:
    label: str
    y: float
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[str]
    rows: list[Row]
    width: int
    height: int
    label_width: int = LABEL_WIDTH


def bar_chart(title: str, series: list[str], data: list[tuple[str, list[int]]]) -> Chart:
    """Horizontal bars, one group per label, one bar per series, scaled to the largest value."""
    largest = max((v for _, values in data for v in values), default=0) or 1
    per_bar = BAR_HEIGHT + 2
    rows = []
    for index, (label, values) in enumerate(data):
        top = 40 + index * ROW_HEIGHT
        offset = (ROW_HEIGHT - per_bar * len(values)) / 2
        bars = [
            Bar(y=top + offset + i * per_bar, width=BAR_AREA * value / largest, value=value, series=i)
            for i, value in enumerate(values)
        ]
        rows.append(Row(label=label, y=top + ROW_HEIGHT / 2 + 4, bars=bars))
    return Chart(title, series, rows, width=LABEL_WIDTH + BAR_AREA + 60, height=50 + ROW_HEIGHT * len(data))

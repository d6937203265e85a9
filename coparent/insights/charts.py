"""The insights page's charts: server-rendered SVG (no script, CSP-safe), bars lying across,
one month a group, one bar per series (a parent, or planned and actual), with the value written
right of each bar — never on the colours — so it reads on a 390 px phone. The same numbers are
in a table under each chart. Sizes follow coparent.schedule.charts (360 units wide, 14-unit
text: about 13 px at a phone's width).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 360
LABEL_WIDTH = 76  # the month's name, left of its bars
VALUE_WIDTH = 64  # the value, right of each bar
BAR = 14
GAP = 2  # between the bars of one month
GROUP_GAP = 10  # between months
TOP = 24  # room for the scale above the first bar
FONT = 14
VALUE_FONT = 12  # the value beside a bar, the height of the bar or less
SERIES_CLASSES = ("parent-a", "parent-b")

Value = float | int | None


@dataclass(frozen=True)
class ChartBar:
    y: float
    text_y: float
    width: float
    text: str
    css: str


@dataclass(frozen=True)
class ChartGroup:
    label: str
    label_y: float
    bars: list[ChartBar]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    font: int
    value_font: int
    bar_height: int
    bar_x: int
    value_x: int
    groups: list[ChartGroup]
    series: list[tuple[str, str]]  # (name, css class) for the legend
    ticks: list[tuple[float, str, str]]  # x, text, text-anchor


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Value]]],
    series: Sequence[str],
    *,
    write: Callable[[float], str],
    scale_to: float | None = None,
    scale_label: Callable[[float], str] | None = None,
) -> BarChart | None:
    """One group per row (label, a value per series); a value of None draws no bar and writes
    "–". Bars are scaled to `scale_to` (100 for percentages), else to the largest value. None
    when no row has any value: an empty chart says nothing a sentence cannot."""
    values = [v for _label, row in rows for v in row if v is not None]
    if not values:
        return None
    top = scale_to or max(values) or 1
    bar_x = LABEL_WIDTH
    bar_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    per_group = len(series) * BAR + (len(series) - 1) * GAP
    groups = []
    for index, (label, row) in enumerate(rows):
        y0 = TOP + index * (per_group + GROUP_GAP)
        bars = []
        for position, value in enumerate(row):
            y = y0 + position * (BAR + GAP)
            width = round(bar_width * min(float(value), top) / top, 1) if value else 0.0
            bars.append(
                ChartBar(
                    y=y,
                    text_y=y + BAR / 2,
                    width=width,
                    text="–" if value is None else write(float(value)),
                    css=SERIES_CLASSES[position % len(SERIES_CLASSES)],
                )
            )
        groups.append(ChartGroup(label=label, label_y=y0 + per_group / 2, bars=bars))
    name = scale_label or write
    ticks = [
        (float(bar_x), name(0), "start"),
        (bar_x + bar_width / 2, name(top / 2), "middle"),
        (float(bar_x + bar_width), name(top), "end"),
    ]
    return BarChart(
        width=WIDTH,
        height=TOP + len(rows) * (per_group + GROUP_GAP),
        font=FONT,
        value_font=VALUE_FONT,
        bar_height=BAR,
        bar_x=bar_x,
        value_x=WIDTH,
        groups=groups,
        series=[(str(s), SERIES_CLASSES[i % len(SERIES_CLASSES)]) for i, s in enumerate(series)],
        ticks=ticks,
    )

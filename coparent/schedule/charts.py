"""The time-share page's monthly chart: server-rendered SVG (no script, CSP-safe), one bar per
month of each parent's overnights as a share of the month's nights, with the same numbers in a
table below it.

The bars lie across, one month a row, so the chart reads on a 390 px phone as well as on a
desktop: the month's name sits left of its bar and the counts right of it, never on the colours
(where their contrast could not be kept for both parents), and the scale's "0%", "50%" and
"100%" sit above the bars inside the drawing, so nothing is clipped. The drawing is 360 units
wide with 14-unit text: at a phone's width that is text of about 13 px.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from coparent.core.schedule import Plan
from coparent.schedule.selectors import MonthShare

Number = int | Fraction

WIDTH = 360
LABEL_WIDTH = 76  # the month's name, left of the bars
COUNT_WIDTH = 58  # the counts, right of the bars
ROW = 28
BAR = 18
TOP = 24  # room for the scale above the first bar
FONT = 14


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    text_y: float
    a_width: float
    b_x: float
    b_width: float
    a: Number
    b: Number
    counts: str  # as the right edge writes them


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    font: int
    bar_height: int
    bar_x: int
    bar_width: int
    count_x: int
    bars: list[Bar]
    name_a: str
    name_b: str
    ticks: list[tuple[float, str, str]]  # x, text, text-anchor


def share_chart(
    rows: Sequence[tuple[str, Number, Number, str]], names: tuple[str, str]
) -> Chart | None:
    """Bars scaled to 100% each: A from the left, B after it. Each row is (label, A's count,
    B's count, the counts as the chart's right edge writes them); a row with nothing to share
    draws an empty bar. None without rows."""
    if not rows:
        return None
    bar_x = LABEL_WIDTH
    bar_width = WIDTH - LABEL_WIDTH - COUNT_WIDTH
    bars = []
    for index, (label, a, b, counts) in enumerate(rows):
        total = a + b
        a_width = round(float(bar_width * a / total), 1) if total else 0.0
        y = TOP + index * ROW
        bars.append(
            Bar(
                label=label,
                y=y,
                text_y=y + BAR / 2,
                a_width=a_width,
                b_x=round(bar_x + a_width, 1),
                b_width=round(bar_width - a_width, 1) if total else 0,
                a=a,
                b=b,
                counts=counts,
            )
        )
    ticks = [
        (bar_x, "0%", "start"),
        (bar_x + bar_width / 2, "50%", "middle"),
        (bar_x + bar_width, "100%", "end"),
    ]
    return Chart(
        width=WIDTH,
        height=TOP + len(rows) * ROW,
        font=FONT,
        bar_height=BAR,
        bar_x=bar_x,
        bar_width=bar_width,
        count_x=WIDTH,
        bars=bars,
        name_a=names[0],
        name_b=names[1],
        ticks=ticks,
    )


def monthly_chart(
    months: list[MonthShare], plan: Plan, month_label: Callable[[date], str]
) -> Chart | None:
    """One bar a month, each parent's overnights as a share of the month's nights.
    `month_label` names a month in the reader's locale ("Jan 2027")."""
    return share_chart(
        [
            (
                month_label(item.month),
                item.overnights["A"],
                item.overnights["B"],
                f"{item.overnights['A']} · {item.overnights['B']}",
            )
            for item in months
        ],
        (plan.name_of("A"), plan.name_of("B")),
    )

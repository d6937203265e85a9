"""The time-share page's monthly chart: server-rendered SVG (no script, CSP-safe), one stacked
bar per month of each parent's overnights, with the same numbers in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

from coparent.core.schedule import Plan
from coparent.schedule.selectors import MonthShare

WIDTH, HEIGHT, BAR_GAP, LEFT, BOTTOM = 720, 220, 4, 36, 24


@dataclass
class Bar:
    label: str
    x: float
    width: float
    a_y: float
    a_height: float
    b_y: float
    b_height: float
    a: int
    b: int


@dataclass
class Chart:
    width: int
    height: int
    plot_height: int
    left: int
    bars: list[Bar]
    name_a: str
    name_b: str
    ticks: list[tuple[float, str]]


def monthly_chart(months: list[MonthShare], plan: Plan) -> Chart | None:
    """Bars scaled to 100% of each month's nights: A at the bottom, B on top."""
    if not months:
        return None
    plot = HEIGHT - BOTTOM
    step = (WIDTH - LEFT) / len(months)
    bars = []
    for index, item in enumerate(months):
        a, b = item.overnights["A"], item.overnights["B"]
        total = a + b or 1
        a_height = plot * a / total
        b_height = plot * b / total
        bars.append(
            Bar(
                label=item.month.strftime("%b %Y"),
                x=round(LEFT + index * step + BAR_GAP / 2, 1),
                width=round(max(step - BAR_GAP, 1), 1),
                a_y=round(plot - a_height, 1),
                a_height=round(a_height, 1),
                b_y=round(plot - a_height - b_height, 1),
                b_height=round(b_height, 1),
                a=a,
                b=b,
            )
        )
    ticks = [(round(plot - plot * p / 100, 1), f"{p}%") for p in (0, 50, 100)]
    return Chart(WIDTH, HEIGHT, plot, LEFT, bars, plan.name_of("A"), plan.name_of("B"), ticks)

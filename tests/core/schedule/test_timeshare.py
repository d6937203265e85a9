"""Time-share: the three counting methods, their rounding, actual segments beside planned
ones, and the registry a jurisdiction's rule is added to."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from coparent.core.schedule import (
    METHODS,
    CountingMethod,
    Segment,
    Source,
    Window,
    expand_dates,
    percentages,
    plan_timeshare,
    register,
    round_to_total,
    timeshare,
)
from coparent.core.schedule.timeshare import HOUR_US, partial_day_quarters
from tests.core.schedule.plans import local, plan


def test_the_three_methods_are_registered_each_with_its_rule_in_words():
    assert list(METHODS)[:3] == ["overnights", "hours", "days"]
    for method in METHODS.values():
        assert method.label and method.unit and len(method.rule) > 40


@pytest.mark.parametrize(
    ("hours", "days"),
    [
        (0, 0),
        (2.99, 0),
        (3, 0.25),
        (5.99, 0.25),
        (6, 0.5),
        (11.99, 0.5),
        (12, 1),
        (24, 1),
        (27, 1.25),
        (47, 2),  # a weekend across the spring-forward night: one day and 23 hours
        (49, 2),  # and across the fall-back night
        (72, 3),
    ],
)
def test_partial_day_credit_follows_the_rule(hours, days):
    assert partial_day_quarters(round(hours * HOUR_US)) / 4 == days


def test_every_other_weekend_in_days_with_partial_day_credit():
    weekends = plan(pattern="every-other-weekend", start=date(2027, 6, 7))  # a Monday
    share = plan_timeshare(weekends, date(2027, 6, 7), date(2027, 6, 21))
    # Sam: Friday 18:00 to Sunday 18:00, two full days. Alex, cut by the period's ends:
    # Monday 7 00:00 to Friday 11 18:00 (4 days 18 hours: 5) and Sunday 13 18:00 to Monday
    # 21 00:00 (7 days 6 hours: 7½). So 14½ days are counted in a 14-day period.
    assert share["days"].counts == {"A": Fraction(25, 2), "B": 2}
    assert share["days"].percentages() == {"A": 86.21, "B": 13.79}


def test_actual_segments_count_like_planned_ones_and_gaps_go_to_nobody():
    zone = "Europe/London"
    window = Window(plan(timezone=zone).zone, date(2027, 6, 1), date(2027, 6, 3))
    actual = Source("actual", "check-ins")
    segments = [
        Segment(local(zone, 2027, 5, 31, 18), local(zone, 2027, 6, 1, 18, 20), "A", actual),
        # Nobody checked in from 18:20 to 19:00.
        Segment(local(zone, 2027, 6, 1, 19), local(zone, 2027, 6, 3, 9), "B", actual),
    ]
    share = timeshare(segments, window)
    assert share["overnights"].counts == {"A": 0, "B": 2}
    assert share["hours"].counts == {"A": Fraction(55, 3), "B": 29}
    assert share["hours"].total == 48 - Fraction(2, 3)
    assert share["hours"].rounded() == {"A": 18.33, "B": 29.0}


def test_rounding_keeps_totals_and_gives_percentages_that_add_up_to_100():
    thirds = {"A": Fraction(1), "B": Fraction(1), "C": Fraction(1)}
    assert percentages(thirds) == {"A": 33.34, "B": 33.33, "C": 33.33}
    assert percentages({"A": Fraction(1), "B": Fraction(2)}) == {"A": 33.33, "B": 66.67}
    assert percentages({"A": Fraction(0), "B": Fraction(0)}) == {"A": 0.0, "B": 0.0}
    # 10.005 + 10.005 hours is 20.01: one of them is rounded up, not both down.
    assert round_to_total({"A": Fraction(2001, 200), "B": Fraction(2001, 200)}) == {
        "A": 10.01,
        "B": 10.0,
    }


def test_a_jurisdictions_rule_is_added_in_one_place():
    def weekend_nights(segments, window):
        """Only Friday and Saturday nights count."""
        nights = METHODS["overnights"].count
        counts = dict.fromkeys(("A", "B"), Fraction(0))
        day = window.first
        while day < window.stop:
            if day.weekday() in (4, 5):
                one = Window(window.zone, day, day + timedelta(days=1))
                for letter, n in nights(segments, one).items():
                    counts[letter] += n
            day += timedelta(days=1)
        return counts

    method = CountingMethod(
        key="weekend-nights",
        label="Weekend nights",
        unit="nights",
        rule="Only Friday and Saturday nights count.",
        count=weekend_nights,
    )
    register(method)
    try:
        weekends = plan(pattern="every-other-weekend", start=date(2027, 6, 7))
        share = plan_timeshare(weekends, date(2027, 6, 7), date(2027, 6, 21), ["weekend-nights"])
        assert share["weekend-nights"].counts == {"A": 2, "B": 2}
        with pytest.raises(ValueError, match="already registered"):
            register(method)
    finally:
        del METHODS["weekend-nights"]


def test_an_unknown_method_is_refused():
    with pytest.raises(KeyError, match="unknown counting method"):
        plan_timeshare(plan(), date(2027, 1, 1), date(2027, 1, 8), ["coin-toss"])


def test_the_last_night_needs_segments_past_the_window():
    alex_and_sam = plan()
    window = Window(alex_and_sam.zone, date(2027, 1, 4), date(2027, 1, 11))
    exact = expand_dates(alex_and_sam, window.first, window.stop).segments
    longer = expand_dates(alex_and_sam, window.first, window.stop + timedelta(days=1)).segments
    assert timeshare(exact, window)["overnights"].total == 6  # 00:00 on the 11th is not in it
    assert timeshare(longer, window)["overnights"].total == 7

"""Every named pattern gives the share a parent would work out by hand over one cycle."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from coparent.core.schedule import PATTERNS, plan_timeshare
from coparent.core.schedule.patterns import runs_of
from tests.core.schedule.plans import plan

# pattern: (cycle length, Alex's overnights, Sam's overnights, Alex's %, Sam's %)
BY_HAND = {
    "alternating-weeks": (14, 7, 7, 50.0, 50.0),
    "2-2-3": (14, 7, 7, 50.0, 50.0),
    "2-2-5-5": (14, 7, 7, 50.0, 50.0),
    "3-4-4-3": (14, 7, 7, 50.0, 50.0),
    "every-other-weekend": (14, 12, 2, 85.71, 14.29),
    "every-other-weekend-midweek": (14, 10, 4, 71.43, 28.57),
    "5-2": (7, 5, 2, 71.43, 28.57),
    "4-3": (7, 4, 3, 57.14, 42.86),
}


def test_the_named_patterns_are_exactly_those_of_the_architecture():
    assert PATTERNS == {
        "alternating-weeks": "AAAAAAABBBBBBB",
        "2-2-3": "AABBAAABBAABBB",
        "2-2-5-5": "AABBAAAAABBBBB",
        "3-4-4-3": "AAABBBBAAAABBB",
        "5-2": "AAAAABB",
        "4-3": "AAAABBB",
        "every-other-weekend": "AAAABBAAAAAAAA",
        "every-other-weekend-midweek": "AABABBAAABAAAA",
    }
    assert set(BY_HAND) == set(PATTERNS)


@pytest.mark.parametrize("name", list(BY_HAND))
def test_each_pattern_shares_a_cycle_as_counted_by_hand(name):
    days, alex, sam, alex_percent, sam_percent = BY_HAND[name]
    summer = plan(pattern=name, start=date(2027, 6, 7))  # a Monday, far from DST changes
    share = plan_timeshare(summer, date(2027, 6, 7), date(2027, 6, 7) + timedelta(days=days))

    overnights, hours = share["overnights"], share["hours"]
    assert overnights.counts == {"A": alex, "B": sam}
    assert overnights.percentages() == {"A": alex_percent, "B": sam_percent}
    # Over a whole cycle each letter is a full 24 hours, however the exchange time cuts it.
    assert hours.counts == {"A": Fraction(24 * alex), "B": Fraction(24 * sam)}
    assert hours.percentages() == {"A": alex_percent, "B": sam_percent}


@pytest.mark.parametrize("name", list(BY_HAND))
def test_a_pattern_shares_the_same_over_any_whole_number_of_cycles(name):
    days, alex, sam, *_ = BY_HAND[name]
    summer = plan(pattern=name, start=date(2027, 6, 7))
    # Four cycles starting mid-cycle, even before the plan's start.
    first = date(2027, 5, 3) + timedelta(days=3)
    share = plan_timeshare(summer, first, first + timedelta(days=4 * days))
    assert share["overnights"].counts == {"A": 4 * alex, "B": 4 * sam}


def test_every_other_weekend_gives_sam_friday_and_saturday_nights():
    weekends = plan(pattern="every-other-weekend", start=date(2027, 6, 7))  # Monday
    nights = plan_timeshare(weekends, date(2027, 6, 11), date(2027, 6, 13))  # Fri and Sat
    assert nights["overnights"].counts == {"A": 0, "B": 2}


def test_runs_join_days_of_one_letter():
    assert [(r.offset, r.length, r.letter) for r in runs_of("AABBAAAAABBBBB")] == [
        (0, 2, "A"),
        (2, 2, "B"),
        (4, 5, "A"),
        (9, 5, "B"),
    ]

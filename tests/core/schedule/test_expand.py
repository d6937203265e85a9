"""Expansion against cases worked out by hand: DST, leap years, ranges before the plan's start,
holidays alternating by year and the order in which layers win."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest

from coparent.core.schedule import (
    expand,
    expand_dates,
    parent_at,
    plan_timeshare,
)
from tests.core.schedule.plans import local, plan, utc

CHICAGO = "America/Chicago"


def _chicago(*parts: int, fold: int = 0) -> datetime:
    return local(CHICAGO, *parts, fold=fold)


def _story(expansion, the_plan):
    """Segments as (local start, local end, parent name, source) for readable assertions."""
    zone = the_plan.zone
    return [
        (
            s.start.astimezone(zone).strftime("%m-%d %H:%M"),
            s.end.astimezone(zone).strftime("%m-%d %H:%M"),
            the_plan.name_of(s.parent),
            s.source.label,
        )
        for s in expansion.segments
    ]


def test_a_2_2_3_fortnight_from_its_start():
    alex_and_sam = plan()
    expansion = expand_dates(alex_and_sam, date(2027, 1, 4), date(2027, 1, 18))

    assert _story(expansion, alex_and_sam) == [
        ("01-04 00:00", "01-04 18:00", "Sam", "rotation"),  # day -1 is the cycle's last B
        ("01-04 18:00", "01-06 18:00", "Alex", "rotation"),
        ("01-06 18:00", "01-08 18:00", "Sam", "rotation"),
        ("01-08 18:00", "01-11 18:00", "Alex", "rotation"),
        ("01-11 18:00", "01-13 18:00", "Sam", "rotation"),
        ("01-13 18:00", "01-15 18:00", "Alex", "rotation"),
        ("01-15 18:00", "01-18 00:00", "Sam", "rotation"),
    ]
    assert [(e.at, e.from_parent, e.to_parent) for e in expansion.exchanges] == [
        (_chicago(2027, 1, 4, 18), "B", "A"),
        (_chicago(2027, 1, 6, 18), "A", "B"),
        (_chicago(2027, 1, 8, 18), "B", "A"),
        (_chicago(2027, 1, 11, 18), "A", "B"),
        (_chicago(2027, 1, 13, 18), "B", "A"),
        (_chicago(2027, 1, 15, 18), "A", "B"),
    ]


def test_a_range_that_starts_before_the_plan_counts_days_backwards():
    alex_and_sam = plan()
    # 28 December is day -7: letters 7..13 of AABBAAABBAABBB are BBAABBB.
    expansion = expand_dates(alex_and_sam, date(2026, 12, 28), date(2027, 1, 5))

    assert _story(expansion, alex_and_sam) == [
        ("12-28 00:00", "12-28 18:00", "Alex", "rotation"),  # day -8 is letter 6, an A
        ("12-28 18:00", "12-30 18:00", "Sam", "rotation"),
        ("12-30 18:00", "01-01 18:00", "Alex", "rotation"),
        ("01-01 18:00", "01-04 18:00", "Sam", "rotation"),
        ("01-04 18:00", "01-05 00:00", "Alex", "rotation"),
    ]


def test_an_exchange_in_the_spring_forward_gap_happens_an_hour_later_on_the_clock():
    # Clocks in Chicago jump from 02:00 to 03:00 on 14 March 2027; the exchange is at 02:30.
    spring = plan(pattern="alternating-weeks", start=date(2027, 3, 7), exchange_time="02:30")
    expansion = expand_dates(spring, date(2027, 3, 8), date(2027, 3, 15))

    (exchange,) = expansion.exchanges
    assert exchange.at == utc(2027, 3, 14, 8, 30)  # 02:30 read at CST (-6) = 03:30 CDT
    assert exchange.at.astimezone(spring.zone).strftime("%H:%M %Z") == "03:30 CDT"
    share = plan_timeshare(spring, date(2027, 3, 8), date(2027, 3, 15))
    # The week has 167 hours: Alex from Monday 00:00 to Sunday 03:30 CDT, Sam after.
    assert share["hours"].counts == {"A": Fraction(293, 2), "B": Fraction(41, 2)}
    assert share["overnights"].counts == {"A": 6, "B": 1}


def test_a_full_rotation_block_across_the_gap_is_exactly_a_week_long():
    spring = plan(pattern="alternating-weeks", start=date(2027, 3, 7), exchange_time="02:30")
    (alex_week,) = [
        s
        for s in expand_dates(spring, date(2027, 3, 1), date(2027, 3, 28)).segments
        if s.start == _chicago(2027, 3, 7, 2, 30)
    ]
    assert alex_week.end - alex_week.start == timedelta(days=7)


def test_an_exchange_at_an_ambiguous_fall_back_time_is_the_first_one():
    # Clocks in Chicago go back from 02:00 CDT to 01:00 CST on 7 November 2027.
    autumn = plan(pattern="alternating-weeks", start=date(2027, 10, 31), exchange_time="01:30")
    expansion = expand_dates(autumn, date(2027, 11, 1), date(2027, 11, 8))

    (exchange,) = expansion.exchanges
    assert exchange.at == utc(2027, 11, 7, 6, 30)  # 01:30 CDT, not 01:30 CST (07:30 UTC)
    share = plan_timeshare(autumn, date(2027, 11, 1), date(2027, 11, 8))
    assert share["hours"].counts == {"A": Fraction(291, 2), "B": Fraction(47, 2)}
    assert share["hours"].total == 169


def test_a_leap_day_is_an_ordinary_rotation_day():
    leap = plan(start=date(2028, 2, 27))  # 2-2-3: Alex 27-28, Sam 29 Feb and 1 March
    expansion = expand_dates(leap, date(2028, 2, 27), date(2028, 3, 5))
    assert _story(expansion, leap)[1:4] == [
        ("02-27 18:00", "02-29 18:00", "Alex", "rotation"),
        ("02-29 18:00", "03-02 18:00", "Sam", "rotation"),
        ("03-02 18:00", "03-05 00:00", "Alex", "rotation"),
    ]
    year = plan_timeshare(plan(timezone="UTC"), date(2028, 1, 1), date(2029, 1, 1))
    assert year["overnights"].total == 366
    assert year["hours"].total == 366 * 24


def test_a_29_february_birthday_falls_on_28_february_in_other_years():
    birthday = {
        "name": "Leo's birthday",
        "date": "2024-02-29",
        "start": "+0d 10:00",
        "end": "+0d 16:00",
        "odd_years": "B",
        "even_years": "B",
    }
    leo = plan(birthday=[birthday])
    for year, day in ((2027, 28), (2028, 29)):
        the_day = expand_dates(leo, date(year, 2, day), date(year, 3, 1))
        assert (
            _chicago(year, 2, day, 10),
            _chicago(year, 2, day, 16),
            "B",
            "Leo's birthday",
        ) in [(s.start, s.end, s.parent, s.source.name) for s in the_day.segments]


THANKSGIVING = {
    "name": "Thanksgiving",
    "date": "Thanksgiving",
    "country": "US",
    "start": "-1d 18:00",
    "end": "+3d 18:00",
    "odd_years": "B",
    "even_years": "A",
}


def test_thanksgiving_alternates_between_the_parents_by_year():
    holidays = plan(holiday=[THANKSGIVING])
    # 2027 (odd): Thursday 25 November, Sam's. 2028 (even): Thursday 23 November, Alex's.
    for year, thursday, parent in ((2027, 25, "B"), (2028, 23, "A"), (2029, 22, "B")):
        week = expand_dates(holidays, date(year, 11, 15), date(year, 12, 1))
        (feast,) = [s for s in week.segments if s.source.kind == "holiday"]
        assert (feast.start, feast.end, feast.parent) == (
            _chicago(year, 11, thursday - 1, 18),
            _chicago(year, 11, thursday + 3, 18),
            parent,
        )


def test_an_override_beats_the_holiday_and_the_holiday_beats_the_rotation():
    trip = {
        "start": "2027-11-26T10:00:00",
        "end": "2027-11-27T10:00:00",
        "parent": "A",
        "note": "Grandma's visit",
    }
    layered = plan(holiday=[THANKSGIVING], override=[trip])
    expansion = expand_dates(layered, date(2027, 11, 24), date(2027, 11, 29))

    assert _story(expansion, layered) == [
        ("11-24 00:00", "11-24 18:00", "Alex", "rotation"),
        ("11-24 18:00", "11-26 10:00", "Sam", "Thanksgiving"),
        ("11-26 10:00", "11-27 10:00", "Alex", "Grandma's visit"),
        ("11-27 10:00", "11-28 18:00", "Sam", "Thanksgiving"),
        ("11-28 18:00", "11-29 00:00", "Alex", "rotation"),
    ]
    assert [e.at for e in expansion.exchanges] == [
        _chicago(2027, 11, 24, 18),
        _chicago(2027, 11, 26, 10),
        _chicago(2027, 11, 27, 10),
        _chicago(2027, 11, 28, 18),
    ]


def test_a_later_holiday_beats_an_earlier_one_and_a_later_override_an_earlier_one():
    eve = {
        "name": "Christmas Eve",
        "date": "12-24",
        "start": "+0d 09:00",
        "end": "+1d 09:00",
        "odd_years": "A",
        "even_years": "A",
    }
    day = {
        "name": "Christmas Day",
        "date": "12-25",
        "start": "-1d 18:00",
        "end": "+0d 18:00",
        "odd_years": "B",
        "even_years": "B",
    }
    first = {
        "start": "2027-12-26T08:00:00",
        "end": "2027-12-26T12:00:00",
        "parent": "A",
        "note": "first",
    }
    second = {
        "start": "2027-12-26T10:00:00",
        "end": "2027-12-26T11:00:00",
        "parent": "B",
        "note": "second",
    }
    christmas = plan(holiday=[eve, day], override=[first, second])
    expansion = expand_dates(christmas, date(2027, 12, 24), date(2027, 12, 27))
    story = _story(expansion, christmas)

    assert ("12-24 09:00", "12-24 18:00", "Alex", "Christmas Eve") in story
    assert ("12-24 18:00", "12-25 18:00", "Sam", "Christmas Day") in story
    assert ("12-26 10:00", "12-26 11:00", "Sam", "second") in story
    assert ("12-26 08:00", "12-26 10:00", "Alex", "first") in story


def test_a_school_break_split_in_halves_swaps_at_its_midpoint_under_the_holidays():
    winter = {
        "name": "Winter break",
        "start": "2027-12-18",
        "end": "2028-01-03",
        "split": "halves",
        "odd_years": "A",
        "even_years": "B",
    }
    day = {
        "name": "Christmas Day",
        "date": "12-25",
        "start": "+0d 10:00",
        "end": "+0d 14:00",
        "odd_years": "B",
        "even_years": "A",
    }
    breaks = plan(school_break=[winter], holiday=[day])
    expansion = expand_dates(breaks, date(2027, 12, 18), date(2028, 1, 4))
    story = _story(expansion, breaks)

    # A date means that date at the exchange time: 18 Dec 18:00 to 3 Jan 18:00, 16 days.
    assert story[1:6] == [
        ("12-18 18:00", "12-25 10:00", "Alex", "Winter break"),
        ("12-25 10:00", "12-25 14:00", "Sam", "Christmas Day"),
        ("12-25 14:00", "12-26 18:00", "Alex", "Winter break"),
        ("12-26 18:00", "01-03 18:00", "Sam", "Winter break"),
        ("01-03 18:00", "01-04 00:00", "Alex", "rotation"),
    ]


def test_segments_of_one_parent_from_different_layers_meet_without_an_exchange():
    same = {"start": "2027-01-05T09:00:00", "end": "2027-01-06T09:00:00", "parent": "A"}
    quiet = plan(override=[same])
    # Alex has the children from Monday 18:00 to Wednesday 18:00 anyway.
    expansion = expand(quiet, _chicago(2027, 1, 5), _chicago(2027, 1, 6, 12))
    assert [s.source.kind for s in expansion.segments] == ["rotation", "override", "rotation"]
    assert {s.parent for s in expansion.segments} == {"A"}
    assert expansion.exchanges == ()


def test_an_exchange_exactly_at_the_range_start_is_listed_once_across_ranges():
    alex_and_sam = plan()
    exchange = _chicago(2027, 1, 6, 18)
    before = expand(alex_and_sam, exchange - timedelta(days=1), exchange)
    after = expand(alex_and_sam, exchange, exchange + timedelta(days=1))
    assert before.exchanges == ()
    assert [e.at for e in after.exchanges] == [exchange]
    assert after.segments[0].start == exchange


def test_parent_at_answers_who_has_the_children_at_an_instant():
    alex_and_sam = plan()
    assert parent_at(alex_and_sam, _chicago(2027, 1, 6, 17, 59)) == "A"
    assert parent_at(alex_and_sam, _chicago(2027, 1, 6, 18)) == "B"


def test_an_empty_range_has_no_segments():
    moment = _chicago(2027, 1, 6, 12)
    empty = expand(plan(), moment, moment)
    assert (empty.segments, empty.exchanges) == ((), ())


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (datetime(2027, 1, 1), datetime(2027, 1, 2), "aware"),  # noqa: DTZ001
        (utc(2027, 1, 2), utc(2027, 1, 1), "ends before it starts"),
        (utc(1899, 1, 1), utc(1900, 2, 1), "between"),
    ],
)
def test_a_bad_range_is_refused(start, end, problem):
    with pytest.raises(ValueError, match=problem):
        expand(plan(), start, end)

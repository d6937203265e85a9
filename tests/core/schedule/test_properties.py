"""Properties that hold for any plan, range and zone, DST of every kind included.

The zones: no DST (UTC, Asia/Kolkata +5:30, Asia/Kathmandu +5:45), northern DST (Europe/London,
America/Chicago, America/St_Johns at -3:30), southern DST (Pacific/Auckland, Australia/Adelaide
at +9:30, Australia/Lord_Howe whose clocks move by 30 minutes, Pacific/Chatham at +12:45), and
DST that changed at midnight, so some days had no 00:00 (America/Sao_Paulo until 2019,
Asia/Tehran until 2022, America/Havana).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.schedule import (
    expand,
    expand_dates,
    plan_from_dict,
    plan_timeshare,
)
from coparent.core.schedule.expand import instant
from coparent.core.schedule.timeshare import Window

ZONES = [
    "UTC",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Europe/London",
    "America/Chicago",
    "America/St_Johns",
    "Pacific/Auckland",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Sao_Paulo",
    "Asia/Tehran",
    "America/Havana",
]
TIMES = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
FEW = settings(max_examples=50, deadline=None)


@st.composite
def plans_and_ranges(draw, *, layers=True):
    zone = draw(st.sampled_from(ZONES))
    start = draw(st.dates(date(2012, 1, 1), date(2032, 12, 31)))
    first = start + timedelta(days=draw(st.integers(-60, 60)))
    stop = first + timedelta(days=draw(st.integers(1, 90)))
    data = {
        "timezone": zone,
        "parents": ["Alex", "Sam"],
        "start": start,
        "exchange_time": draw(TIMES).strftime("%H:%M"),
        "rotation": draw(st.text(alphabet="AB", min_size=1, max_size=21)),
    }
    if layers:
        data["override"] = [
            {
                "start": (begin := datetime.combine(first + timedelta(days=day), clock)),
                "end": begin + timedelta(hours=hours),
                "parent": parent,
            }
            for day, clock, hours, parent in draw(
                st.lists(
                    st.tuples(
                        st.integers(-3, 90),
                        TIMES,
                        st.integers(1, 240),
                        st.sampled_from("AB"),
                    ),
                    max_size=3,
                )
            )
        ]
        data["holiday"] = [
            {
                "name": f"Day {i}",
                "date": f"{month:02d}-{day:02d}",
                "start": f"-1d {clock:%H:%M}",
                "end": f"+{length}d {clock:%H:%M}",
                "odd_years": "A",
                "even_years": "B",
            }
            for i, (month, day, clock, length) in enumerate(
                draw(
                    st.lists(
                        st.tuples(st.integers(1, 12), st.integers(1, 28), TIMES, st.integers(0, 3)),
                        max_size=2,
                    )
                )
            )
        ]
    return plan_from_dict(data), first, stop


def _midnight(plan, day):
    return Window(plan.zone, day, day).start


@FEW
@given(plans_and_ranges())
def test_segments_cover_the_range_without_gap_and_exchanges_are_the_changes(case):
    plan, first, stop = case
    expansion = expand_dates(plan, first, stop)
    segments = expansion.segments

    assert segments[0].start == _midnight(plan, first)
    assert segments[-1].end == _midnight(plan, stop)
    for before, after in zip(segments, segments[1:], strict=False):
        assert before.end == after.start
        assert before.start < before.end
        assert (before.parent, before.source) != (after.parent, after.source)
    changes = [
        (after.start, before.parent, after.parent)
        for before, after in zip(segments, segments[1:], strict=False)
        if before.parent != after.parent
    ]
    listed = [(e.at, e.from_parent, e.to_parent) for e in expansion.exchanges]
    # An exchange exactly at the range's start is listed too (it has no segment before it).
    assert listed in (changes, listed[:1] + changes)
    assert all(expansion.start <= e.at < expansion.end for e in expansion.exchanges)


@FEW
@given(plans_and_ranges(), st.data())
def test_ranges_end_to_end_give_the_same_exchanges_as_one_range(case, data):
    plan, first, stop = case
    middle = first + timedelta(days=data.draw(st.integers(0, (stop - first).days)))
    whole = expand_dates(plan, first, stop)
    parts = expand_dates(plan, first, middle), expand_dates(plan, middle, stop)
    assert whole.exchanges == parts[0].exchanges + parts[1].exchanges


@FEW
@given(plans_and_ranges())
def test_counts_add_up_hours_to_real_time_and_overnights_to_days(case):
    plan, first, stop = case
    share = plan_timeshare(plan, first, stop)

    elapsed = _midnight(plan, stop) - _midnight(plan, first)
    assert share["hours"].total == Fraction(elapsed // timedelta(microseconds=1), 3_600_000_000)
    assert share["overnights"].total == (stop - first).days
    for tally in share.tallies.values():
        if tally.total:
            assert round(sum(tally.percentages().values()), 6) == 100
    assert round(sum(share["hours"].rounded().values()), 6) == round(float(share["hours"].total), 2)


@FEW
@given(plans_and_ranges())
def test_each_overnight_goes_to_whoever_has_the_children_at_the_next_midnight(case):
    plan, first, stop = case
    share = plan_timeshare(plan, first, stop)
    counted = {"A": 0, "B": 0}
    day = first
    while day < stop:
        midnight = _midnight(plan, day + timedelta(days=1))
        (holder,) = expand(plan, midnight, midnight + timedelta(seconds=1)).segments
        counted[holder.parent] += 1
        day += timedelta(days=1)
    assert share["overnights"].counts == counted


@FEW
@given(plans_and_ranges(layers=False), st.data())
def test_without_layers_each_instant_belongs_to_the_letter_of_the_last_exchange(case, data):
    plan, first, stop = case
    zone = plan.zone
    expansion = expand_dates(plan, first, stop)
    for segment in expansion.segments:
        moment = segment.start + (segment.end - segment.start) * data.draw(
            st.floats(0, 0.999), label="where in the segment"
        )
        # By the definition: the latest rotation day whose exchange is at or before it.
        local_day = moment.astimezone(zone).date()
        candidates = [local_day + timedelta(days=k) for k in (1, 0, -1, -2)]
        day = next(
            d for d in candidates if instant(zone, d, plan.exchange_time) <= moment.timestamp()
        )
        assert segment.parent == plan.letter_of_day(day)

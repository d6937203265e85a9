"""What a plan change changes (coparent.core.schedule.diff): Alex proposes to move from a
2-2-3 rotation to alternating weeks, and Sam must see which nights move, which exchanges come
and go, and how the nights add up before and after."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from coparent.core.schedule import expand_dates, plan_from_dict, plan_timeshare
from coparent.core.schedule.diff import compare, nights
from coparent.core.schedule.timeshare import Window
from tests.core.schedule.test_properties import FEW, plans_and_ranges

CHICAGO = "America/Chicago"


def plan(**changes):
    data = {
        "timezone": CHICAGO,
        "parents": ["Alex", "Sam"],
        "start": "2027-01-04",
        "exchange_time": "18:00",
        "pattern": "2-2-3",
    }
    data.update(changes)
    return plan_from_dict(data)


def changes_between(old, new, first, stop):
    # One day more than the window, so its last night is decided (as the time-share does).
    a = expand_dates(old, first, stop + timedelta(days=1))
    b = expand_dates(new, first, stop + timedelta(days=1))
    return compare(a.segments, a.exchanges, b.segments, b.exchanges, Window(old.zone, first, stop))


def test_the_same_plan_changes_nothing():
    found = changes_between(plan(), plan(), date(2027, 1, 4), date(2027, 3, 1))
    assert found.unchanged and found.months == ()
    assert found.before == found.after == {"A": 28, "B": 28}


def test_from_2_2_3_to_alternating_weeks_nights_move_both_ways():
    first, stop = date(2027, 1, 4), date(2027, 1, 18)
    found = changes_between(plan(), plan(pattern="alternating-weeks"), first, stop)

    # 2-2-3:  AABBAAA BBAABBB   weeks: AAAAAAA BBBBBBB
    assert [(c.day.day, c.before, c.after) for c in found.days] == [
        (6, "B", "A"),
        (7, "B", "A"),
        (13, "A", "B"),
        (14, "A", "B"),
    ]
    assert found.moved("B", "A") == 2 and found.moved("A", "B") == 2
    assert found.before == found.after == {"A": 7, "B": 7}
    assert found.months == (date(2027, 1, 1),)
    # 2-2-3 hands over on 6, 8, 11, 13 and 15 January at 18:00; alternating weeks on the 11th.
    assert [x.at.astimezone(plan().zone).day for x in found.removed] == [6, 8, 13, 15]
    assert found.added == ()


def test_a_new_first_plan_gives_every_night_to_someone():
    new = plan(pattern="5-2")
    first, stop = date(2027, 1, 4), date(2027, 1, 11)
    b = expand_dates(new, first, stop + timedelta(days=1))
    found = compare([], [], b.segments, b.exchanges, Window(new.zone, first, stop))
    assert len(found.days) == 7 and all(c.before is None for c in found.days)
    assert found.before == {"A": 0, "B": 0} and found.after == {"A": 5, "B": 2}


def test_months_are_those_with_a_night_that_changes():
    old = plan()
    new = plan(
        override=[{"start": "2027-03-10T09:00:00", "end": "2027-03-20T18:00:00", "parent": "B"}]
    )
    found = changes_between(old, new, date(2027, 1, 4), date(2027, 6, 1))
    assert found.months == (date(2027, 3, 1),)
    assert found.in_month(date(2027, 3, 1)) == found.days
    assert found.in_month(date(2027, 4, 1)) == ()


@FEW
@given(plans_and_ranges(), plans_and_ranges())
def test_the_changes_account_for_the_time_share_before_and_after(one, two):
    old, first, stop = one
    new = plan_from_dict({**_dict(two[0]), "timezone": old.timezone})
    found = changes_between(old, new, first, stop)

    # The nights add up to the time-share's overnights, before and after.
    for side, shown in ((old, found.before), (new, found.after)):
        share = plan_timeshare(side, first, stop)["overnights"].counts
        assert shown == {k: int(v) for k, v in share.items()}
    # Every change of a night's parent is one listed day, and nothing else moved.
    assert found.after["A"] - found.before["A"] == found.moved("B", "A") - found.moved("A", "B")
    assert sum(found.before.values()) == sum(found.after.values()) == (stop - first).days
    # Looking the other way gives the same days mirrored, and the exchanges swapped.
    back = changes_between(new, old, first, stop)
    assert [(c.day, c.after, c.before) for c in back.days] == [
        (c.day, c.before, c.after) for c in found.days
    ]
    assert (back.added, back.removed) == (found.removed, found.added)
    assert all(first <= c.day < stop for c in found.days)
    assert len(found.months) <= (stop - first).days // 28 + 2


@FEW
@given(plans_and_ranges())
def test_a_night_is_its_parent_at_the_midnight_after_it(case):
    old, first, stop = case
    expansion = expand_dates(old, first, stop + timedelta(days=1))
    found = nights(expansion.segments, Window(old.zone, first, stop))
    assert len(found) == (stop - first).days and None not in found


def _dict(p):
    from coparent.core.schedule import plan_to_dict

    return plan_to_dict(p)


@given(st.integers(1, 60))
def test_a_plan_compared_with_itself_changes_nothing_over_any_length(days):
    same = plan(pattern="3-4-4-3")
    first = date(2027, 10, 20)  # across the end of daylight saving time in Chicago
    assert changes_between(same, same, first, first + timedelta(days=days)).unchanged

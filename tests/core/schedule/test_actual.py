"""Actual custody and planned versus actual time-share, with expectations worked out by hand.

The family: Alex (A) and Sam (B), week on, week off in Chicago, exchanging on Mondays at
18:00 from Monday 7 June 2027. Over the four weeks of local dates 7 June to 5 July (no clock
change) the plan gives each parent 14 overnights and 336 hours: Sam 7 June 00:00-18:00 (18 h)
and 28 June 18:00 - 5 July 00:00 (150 h) and 14-21 June (168 h); Alex 7-14 and 21-28 June.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.schedule import Exchange, Segment, Window, expand_dates
from coparent.core.schedule.actual import actual_custody, compare, planned_exchanges
from coparent.core.schedule.outcome import CheckIn, Kind, Rules, outcome, outcomes
from tests.core.schedule.plans import local, plan, utc

CHICAGO = ZoneInfo("America/Chicago")
WINDOW = Window(CHICAGO, date(2027, 6, 7), date(2027, 7, 5))
NOW = utc(2027, 8, 1)  # long after: every outcome is settled
H = timedelta(hours=1)
M = timedelta(minutes=1)


def week_on_week_off(**changes):
    return plan(rotation="AAAAAAABBBBBBB", pattern=None, start=date(2027, 6, 7), **changes)


def segments_of(family):
    # One day more than the window, so its last night is counted (docs/schedules.md).
    return expand_dates(family, date(2027, 6, 7), date(2027, 7, 6)).segments


def monday(day: int) -> datetime:
    return local("America/Chicago", 2027, 6, day, 18, 0)


def shares(comparison, method):
    return comparison.planned[method].counts, comparison.actual[method].counts


def test_the_plan_as_worked_out_by_hand():
    segments = segments_of(week_on_week_off())
    assert [(e.at, e.from_parent, e.to_parent) for e in planned_exchanges(segments)] == [
        (monday(7), "B", "A"),
        (monday(14), "A", "B"),
        (monday(21), "B", "A"),
        (monday(28), "A", "B"),
        (local("America/Chicago", 2027, 7, 5, 18, 0), "B", "A"),  # past the window
    ]
    actual = actual_custody(segments, [], now=NOW)  # nobody checked in: the plan kept
    comparison = compare(segments, actual, WINDOW)
    assert shares(comparison, "overnights") == ({"A": 14, "B": 14}, {"A": 14, "B": 14})
    assert shares(comparison, "hours") == ({"A": 336, "B": 336}, {"A": 336, "B": 336})
    assert actual.differences == () and comparison.differences == ()
    assert {s.source.kind for s in actual.segments} == {"actual"}
    assert [(s.parent, s.source.name) for s in actual.segments[:2]] == [
        ("B", "rotation"),
        ("A", "rotation"),
    ]


def test_a_missed_exchange_leaves_the_children_with_alex_until_the_plan_gives_them_back():
    # Monday 14 June: Sam waits at the school gate; Alex never comes. Sam's week is spent
    # with Alex, and the next exchange that happens is Monday 28 June.
    family = week_on_week_off()
    segments = segments_of(family)
    missed = outcome(
        Exchange(monday(14), "A", "B"), [CheckIn("arrived", "B", monday(14) - 2 * M)], NOW
    )
    assert missed.kind is Kind.MISSED
    actual = actual_custody(segments, [missed], now=NOW)
    comparison = compare(segments, actual, WINDOW)
    assert shares(comparison, "overnights") == ({"A": 14, "B": 14}, {"A": 21, "B": 7})
    assert shares(comparison, "hours") == ({"A": 336, "B": 336}, {"A": 504, "B": 168})
    assert comparison.moved("overnights") == {"A": 7, "B": -7}
    [difference] = actual.differences
    assert (difference.why, difference.kept_by, difference.planned) == ("missed", "A", "B")
    assert (difference.start, difference.end) == (monday(14), monday(21))
    assert difference.reason(family.parents, CHICAGO, "en_GB") == (
        "Missed exchange on Mon 14 Jun, 18:00 — the children stayed with Alex until "
        "Mon 21 Jun, 18:00."
    )
    # Alex's stretch is one actual segment from 7 June, named for what happened in the middle.
    assert [(s.start, s.end, s.parent, s.source.name) for s in actual.segments[1:4]] == [
        (monday(7), monday(14), "A", "rotation"),
        (monday(14), monday(21), "A", "missed exchange"),
        (monday(21), monday(28), "A", "rotation"),
    ]


def test_a_missed_exchange_ends_where_the_parents_say_the_children_went():
    # The same missed Monday, but Sam collected the children from Alex's house on Wednesday
    # 16 June at 10:00, as both noted. Alex keeps them 40 hours more than planned and the
    # nights of the 14th and 15th: 16 overnights to 12, 376 hours to 296.
    family = week_on_week_off()
    segments = segments_of(family)
    missed = outcome(Exchange(monday(14), "A", "B"), [], NOW)
    wednesday = local("America/Chicago", 2027, 6, 16, 10, 0)
    actual = actual_custody(segments, [missed], now=NOW, stated={monday(14): wednesday})
    comparison = compare(segments, actual, WINDOW)
    assert comparison.actual["overnights"].counts == {"A": 16, "B": 12}
    assert comparison.actual["hours"].counts == {"A": 376, "B": 296}
    [difference] = actual.differences
    assert (difference.why, difference.start, difference.end) == ("missed", monday(14), wednesday)
    assert difference.reason(family.parents, CHICAGO, "en_GB").endswith(
        "the children stayed with Alex until Wed 16 Jun, 10:00."
    )
    assert not difference.ongoing
    # On the Wednesday at 9:00, missed since the cut-off and nothing stated yet, the children
    # are still with Alex.
    earlier = local("America/Chicago", 2027, 6, 16, 9, 0)
    so_far = actual_custody(segments, [outcome(missed.exchange, [], earlier)], now=earlier)
    [difference] = so_far.differences
    assert difference.ongoing and difference.end == earlier
    assert difference.reason(family.parents, CHICAGO, "en_GB") == (
        "Missed exchange on Mon 14 Jun, 18:00 — the children are still with Alex."
    )
    # A point after the next exchange, or before the missed one, is not used.
    for point in (monday(21) + H, monday(14) - H):
        ignored = actual_custody(segments, [missed], now=NOW, stated={monday(14): point})
        assert ignored.differences[0].end == monday(21)


def test_a_late_handover_moves_the_boundary_to_the_receipt():
    # Sam taps "received" at 19:40 on Monday 14 June: 100 minutes late.
    family = week_on_week_off()
    segments = segments_of(family)
    late = outcome(
        Exchange(monday(14), "A", "B"), [CheckIn("received", "B", monday(14) + 100 * M)], NOW
    )
    assert (late.kind, late.minutes_late) == (Kind.LATE, 100)
    actual = actual_custody(segments, [late], now=NOW)
    comparison = compare(segments, actual, WINDOW)
    assert shares(comparison, "overnights") == ({"A": 14, "B": 14}, {"A": 14, "B": 14})
    planned_hours, actual_hours = shares(comparison, "hours")
    assert actual_hours == {"A": 336 + Fraction(5, 3), "B": 336 - Fraction(5, 3)}
    [difference] = actual.differences
    assert (difference.start, difference.end, difference.kept_by) == (
        monday(14),
        monday(14) + 100 * M,
        "A",
    )
    assert difference.reason(family.parents, CHICAGO, "en") == (
        "Late handover on Mon, Jun 14, 6:00\u202fPM (100 minutes late) — the children were "
        "with Alex until 7:40\u202fPM."
    )


def test_an_on_time_handover_keeps_the_plan_to_the_minute():
    segments = segments_of(week_on_week_off())
    taps = [CheckIn("handed_over", "A", monday(14) + 12 * M)]
    actual = actual_custody(segments, [outcome(Exchange(monday(14), "A", "B"), taps, NOW)], now=NOW)
    assert actual.differences == ()
    assert [s.start for s in actual.segments] == [s.start for s in segments]


def test_a_swap_is_in_the_plan_and_only_its_late_return_moves_anything():
    # An approved request: Sam keeps the children a day longer, to Tuesday 22 June 18:00. The
    # Monday 21 June exchange is changed; the Tuesday one, where Sam hands back, is 30 minutes
    # late. Planned: Alex loses the night of the 21st (13 overnights to 15) and 24 hours
    # (312 to 360). Actual: Alex 311½ hours, Sam 360½.
    tuesday = local("America/Chicago", 2027, 6, 22, 18, 0)
    family = week_on_week_off(
        override=[
            {
                "start": datetime(2027, 6, 21, 18, 0),  # noqa: DTZ001 - the plan's wall clock
                "end": datetime(2027, 6, 22, 18, 0),  # noqa: DTZ001
                "parent": "Sam",
                "note": "swap: Sam's extra day",
            }
        ]
    )
    segments = segments_of(family)
    assert Exchange(tuesday, "B", "A") in [
        Exchange(e.at, e.from_parent, e.to_parent) for e in planned_exchanges(segments)
    ]
    found = [
        outcome(Exchange(monday(21), "B", "A"), [], NOW, changed=True),
        outcome(Exchange(tuesday, "B", "A"), [CheckIn("handed_over", "B", tuesday + 30 * M)], NOW),
        outcome(Exchange(monday(14), "A", "B"), [CheckIn("received", "B", monday(14))], NOW),
    ]
    actual = actual_custody(segments, found, now=NOW)
    assert [o.kind for o in actual.ignored] == [Kind.CHANGED]  # not in the plan any more
    comparison = compare(segments, actual, WINDOW)
    assert shares(comparison, "overnights") == ({"A": 13, "B": 15}, {"A": 13, "B": 15})
    assert shares(comparison, "hours") == (
        {"A": 312, "B": 360},
        {"A": Fraction(623, 2), "B": Fraction(721, 2)},
    )
    [difference] = actual.differences
    assert (difference.why, difference.minutes_late, difference.kept_by) == ("late", 30, "B")
    names = {s.source.name for s in actual.segments}
    assert {"swap: Sam's extra day", "late handover", "rotation"} <= names


def test_a_pending_exchange_has_moved_nothing_yet_and_the_future_is_not_counted():
    # 18:10 on Monday 14 June: the handover is due, nobody has tapped.
    segments = segments_of(week_on_week_off())
    now = monday(14) + 10 * M
    pending = outcome(Exchange(monday(14), "A", "B"), [], now)
    actual = actual_custody(segments, [pending], now=now)
    assert actual.end == now and actual.segments[-1].end == now
    [difference] = actual.differences
    assert (difference.why, difference.start, difference.end) == ("pending", monday(14), now)
    assert difference.ongoing
    assert difference.reason(("Alex", "Sam"), CHICAGO, "en").endswith(
        "not recorded yet — the children are with Alex so far."
    )
    comparison = compare(segments, actual, WINDOW)
    # Both columns stop at 18:10 on the 14th: 7 nights each side of the plan were counted.
    assert comparison.through == now
    assert shares(comparison, "overnights") == ({"A": 7, "B": 0}, {"A": 7, "B": 0})
    # Sam was due the ten minutes from 18:00; Alex still had the children.
    assert comparison.planned["hours"].counts == {"A": 168, "B": 18 + Fraction(1, 6)}
    assert comparison.actual["hours"].counts == {"A": 168 + Fraction(1, 6), "B": 18}


def test_a_receipt_after_the_next_exchange_is_not_this_handover():
    # Exchanges 24 hours apart would let a tap come after the next one is due; it is missed.
    family = plan(rotation="AB", pattern=None, start=date(2027, 6, 7))
    segments = expand_dates(family, date(2027, 6, 7), date(2027, 6, 12)).segments
    first, second = planned_exchanges(segments)[1:3]
    loose = Rules(miss_after=timedelta(hours=30))
    found = outcome(first, [CheckIn("received", first.to_parent, second.at + H)], NOW, rules=loose)
    assert found.kind is Kind.LATE  # without next_at, the rule alone allows it
    actual = actual_custody(segments, [found], now=NOW)
    [difference] = actual.differences
    assert (difference.why, difference.start, difference.end) == ("missed", first.at, second.at)


def test_a_late_handover_on_the_night_the_clocks_go_back_moves_real_minutes():
    # A night-shift family exchanging at 01:30 in Chicago. On Sunday 7 November 2027 01:30
    # comes twice; the plan means the first (CDT). Sam's "received" at 01:10 CST, after the
    # clocks went back, is 40 real minutes later, and 40 minutes move to Alex.
    family = plan(rotation="AB", pattern=None, start=date(2027, 11, 1), exchange_time="01:30")
    segments = expand_dates(family, date(2027, 11, 5), date(2027, 11, 9)).segments
    planned_at = local("America/Chicago", 2027, 11, 7, 1, 30)
    [exchange] = [e for e in planned_exchanges(segments) if e.at == planned_at]
    tap = local("America/Chicago", 2027, 11, 7, 1, 10, fold=1)
    december = utc(2027, 12, 1)
    found = outcome(exchange, [CheckIn("received", exchange.to_parent, tap)], december)
    assert (found.kind, found.minutes_late) == (Kind.LATE, 40)
    actual = actual_custody(segments, [found], now=december)
    window = Window(CHICAGO, date(2027, 11, 5), date(2027, 11, 8))
    comparison = compare(segments, actual, window, ["hours"])
    assert comparison.moved("hours") == {
        exchange.from_parent: Fraction(2, 3),
        exchange.to_parent: -Fraction(2, 3),
    }
    assert comparison.actual["hours"].total == 3 * 24 + 1  # the day with 25 hours


def test_the_planned_segments_must_be_a_range():
    with pytest.raises(ValueError, match="planned segments"):
        actual_custody([], [], now=NOW)
    a = Segment(utc(2027, 6, 1), utc(2027, 6, 2), "A")
    b = Segment(utc(2027, 6, 3), utc(2027, 6, 4), "B")
    with pytest.raises(ValueError, match="no gap"):
        actual_custody([a, b], [], now=NOW)


# --- properties ---------------------------------------------------------------------------

TAP_OFFSETS = st.integers(-30, 36 * 60).map(lambda minutes: minutes * M)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(["America/Chicago", "Europe/London", "Pacific/Auckland", "UTC"]),
    rotation=st.text(alphabet="AB", min_size=1, max_size=10),
    start=st.dates(date(2026, 1, 1), date(2028, 12, 1)),
    days=st.integers(1, 40),
    now_offset=st.integers(-2, 45).map(lambda d: timedelta(days=d, hours=7)),
    data=st.data(),
)
def test_actual_custody_is_a_timeline_and_departs_from_the_plan_only_where_it_says(
    zone, rotation, start, days, now_offset, data
):
    family = plan(timezone=zone, rotation=rotation, pattern=None, start=start)
    expansion = expand_dates(family, start, start + timedelta(days=days))
    segments = expansion.segments
    now = expansion.start + now_offset
    taps = {}
    for exchange in planned_exchanges(segments):
        steps = data.draw(
            st.lists(
                st.tuples(st.sampled_from(["arrived", "handed_over", "received"]), TAP_OFFSETS),
                max_size=2,
            )
        )
        taps[exchange.at] = [
            CheckIn(
                step,
                exchange.to_parent if step == "received" else exchange.from_parent,
                exchange.at + offset,
            )
            for step, offset in steps
        ]
    found = outcomes(planned_exchanges(segments), taps, now)
    # Now and then the parents state when the children went after a missed exchange.
    stated = {
        o.exchange.at: o.exchange.at + data.draw(st.integers(-60, 3 * 24 * 60)) * M
        for o in found
        if o.kind is Kind.MISSED and data.draw(st.booleans())
    }
    actual = actual_custody(segments, found, now=now, stated=stated)

    assert actual.end == max(expansion.start, min(expansion.end, now))
    if actual.segments:
        assert actual.segments[0].start == expansion.start
        assert actual.segments[-1].end == actual.end
    for before, after in zip(actual.segments, actual.segments[1:], strict=False):
        assert before.end == after.start
        assert (before.parent, before.source) != (after.parent, after.source)
    assert all(s.source.kind == "actual" and s.start < s.end for s in actual.segments)

    # Where the plan and the actual disagree is exactly the union of the differences.
    def parent_at(timeline, moment):
        return next(s.parent for s in timeline if s.start <= moment < s.end)

    marks = sorted(
        {s.start for s in actual.segments} | {s.start for s in segments if s.start < actual.end}
    )
    for moment in marks:
        if moment < actual.start or moment >= actual.end:
            continue
        differs = parent_at(actual.segments, moment) != parent_at(segments, moment)
        covered = any(d.start <= moment < d.end for d in actual.differences)
        assert differs == covered
    # Every difference comes from an exchange missed, late or still pending.
    by_at = {o.exchange.at: o for o in found}
    for difference in actual.differences:
        assert by_at[difference.exchange.at].kind in {Kind.MISSED, Kind.PENDING, Kind.LATE}
    # With every exchange on time (or untouched), actual custody is the plan.
    if all(o.kind is Kind.ON_TIME for o in found):
        assert actual.differences == ()
    # Hours are conserved: what the plan gives one parent, the actual gives one or the other.
    window = Window(family.zone, start, start + timedelta(days=days))
    comparison = compare(segments, actual, window, ["hours"])
    assert comparison.planned["hours"].total == comparison.actual["hours"].total

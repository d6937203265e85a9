"""Exchange outcomes: what counts as the handover, the edges of the grace window and of the
cut-off, clocks that change in between, and parents who live in different zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.schedule import Exchange, Letter
from coparent.core.schedule.outcome import (
    CheckIn,
    Kind,
    Rules,
    late_minutes,
    month_summary,
    outcome,
    outcomes,
    summarize,
)
from tests.core.schedule.plans import local, utc

# Friday 4 June 2027, 17:00 in Chicago: Alex (A) hands the children over to Sam (B).
FRIDAY = local("America/Chicago", 2027, 6, 4, 17, 0)
EXCHANGE = Exchange(FRIDAY, "A", "B")
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def at(minutes: float) -> datetime:
    return FRIDAY + timedelta(minutes=minutes)


def handed(minutes: float, parent: Letter = "A") -> CheckIn:
    return CheckIn("handed_over", parent, at(minutes))


def received(minutes: float, parent: Letter = "B") -> CheckIn:
    return CheckIn("received", parent, at(minutes))


LATER = at(24 * 60 + 1)  # a "now" past every cut-off


def test_alex_hands_over_at_five_past_and_the_exchange_is_on_time():
    result = outcome(EXCHANGE, [CheckIn("arrived", "A", at(-5)), handed(5)], LATER)
    assert result.kind is Kind.ON_TIME
    assert result.completion == handed(5)
    assert result.arrivals == {"A": at(-5)}
    assert result.completed_at == FRIDAY  # on time is the plan kept


def test_the_grace_window_includes_its_last_instant_and_nothing_after():
    assert outcome(EXCHANGE, [received(15)], LATER).kind is Kind.ON_TIME
    late = outcome(EXCHANGE, [CheckIn("received", "B", at(15) + timedelta(microseconds=1))], LATER)
    assert late.kind is Kind.LATE
    # Any part of a minute counts: "late by 15 minutes" would read like on time.
    assert late.minutes_late == 16


def test_sam_receives_forty_minutes_late():
    result = outcome(EXCHANGE, [received(40)], LATER)
    assert (result.kind, result.minutes_late) == (Kind.LATE, 40)
    assert result.completed_at == at(40)


def test_an_early_handover_is_on_time():
    assert outcome(EXCHANGE, [handed(-30)], LATER).kind is Kind.ON_TIME


def test_the_earliest_completing_tap_counts_whoever_made_it():
    # Alex taps "handed over" at 17:10; Sam only confirms at 17:50. Sam's late tap cannot make
    # Alex late, and the other way round.
    result = outcome(EXCHANGE, [received(50), handed(10)], LATER)
    assert (result.kind, result.completion) == (Kind.ON_TIME, handed(10))
    result = outcome(EXCHANGE, [handed(50), received(20)], LATER)
    assert (result.kind, result.minutes_late, result.completion) == (Kind.LATE, 20, received(20))


def test_arriving_or_tapping_the_other_role_completes_nothing():
    taps = [
        CheckIn("arrived", "A", at(-2)),
        CheckIn("arrived", "B", at(1)),
        handed(3, parent="B"),  # Sam cannot hand over children Sam does not have
        received(4, parent="A"),
    ]
    result = outcome(EXCHANGE, taps, LATER)
    assert result.kind is Kind.MISSED
    assert result.completion is None
    assert result.arrivals == {"A": at(-2), "B": at(1)}


@pytest.mark.parametrize(
    ("now", "phase", "minutes"),
    [
        (at(-60), "upcoming", None),
        (at(0) - S, "upcoming", None),
        (at(0), "due", None),
        (at(15), "due", None),  # still within the window at its last instant
        (at(15) + S, "overdue", 16),
        (at(3 * 60), "overdue", 180),
        (at(24 * 60), "overdue", 24 * 60),  # the cut-off itself: a tap now would still count
    ],
)
def test_with_nothing_tapped_it_is_pending_until_the_cut_off(now, phase, minutes):
    result = outcome(EXCHANGE, [], now)
    assert (result.kind, result.phase, result.minutes_late) == (Kind.PENDING, phase, minutes)
    assert not result.settled


def test_missed_once_the_cut_off_has_passed():
    result = outcome(EXCHANGE, [CheckIn("arrived", "B", at(-1))], at(24 * 60) + S)
    assert result.kind is Kind.MISSED
    assert result.cutoff == FRIDAY + timedelta(hours=24)
    assert result.completed_at is None


def test_a_tap_at_the_cut_off_counts_and_one_after_it_does_not():
    assert outcome(EXCHANGE, [received(24 * 60)], LATER).kind is Kind.LATE
    too_late = CheckIn("received", "B", at(24 * 60) + S)
    assert outcome(EXCHANGE, [too_late], LATER + M).kind is Kind.MISSED


def test_the_next_planned_exchange_brings_the_cut_off_forward():
    # Sam is due to hand back at 20:00: a "received" at 20:30 is not this handover.
    back = at(3 * 60)
    result = outcome(EXCHANGE, [received(3 * 60 + 30)], at(4 * 60), next_at=back)
    assert (result.kind, result.cutoff) == (Kind.MISSED, back)
    assert outcome(EXCHANGE, [received(2 * 60)], at(4 * 60), next_at=back).kind is Kind.LATE


def test_taps_after_now_are_not_seen_so_an_outcome_can_be_replayed():
    taps = [received(40)]
    assert outcome(EXCHANGE, taps, at(30)).phase == "overdue"
    assert outcome(EXCHANGE, taps, at(40)).kind is Kind.LATE


def test_a_changed_exchange_is_changed_whatever_was_tapped():
    result = outcome(EXCHANGE, [received(60)], LATER, changed=True)
    assert result.kind is Kind.CHANGED and result.settled
    assert result.completed_at is None


def test_a_family_sets_its_own_grace_window():
    five = Rules(grace=timedelta(minutes=5))
    assert outcome(EXCHANGE, [received(10)], LATER, rules=five).kind is Kind.LATE
    with pytest.raises(ValueError, match="negative"):
        Rules(grace=-M)
    with pytest.raises(ValueError, match="after the grace window"):
        Rules(grace=timedelta(hours=2), miss_after=timedelta(hours=1))


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="aware"):
        outcome(EXCHANGE, [], datetime(2027, 6, 5, 12, 0))  # noqa: DTZ001 - the point of it


# --- clocks that change, zones that differ ------------------------------------------------


def test_late_across_the_fall_back_hour_is_counted_in_real_minutes():
    # Sunday 7 November 2027 in Chicago: 01:50 CDT, then clocks go back at 02:00 to 01:00 CST.
    # The receipt at 01:10 CST is 20 real minutes later; on the wall clock it looks 40 early.
    zone = ZoneInfo("America/Chicago")
    planned = datetime(2027, 11, 7, 1, 50, tzinfo=zone)
    tap = datetime(2027, 11, 7, 1, 10, tzinfo=zone, fold=1)
    result = outcome(Exchange(planned, "A", "B"), [CheckIn("received", "B", tap)], utc(2028, 1, 1))
    assert (result.kind, result.minutes_late) == (Kind.LATE, 20)
    assert result.completion is not None and result.completion.at.tzinfo is UTC


def test_on_time_across_the_spring_forward_gap():
    # Sunday 14 March 2027: 01:55 CST, then 02:00 becomes 03:00 CDT. 03:05 is 10 minutes later.
    zone = ZoneInfo("America/Chicago")
    planned = datetime(2027, 3, 14, 1, 55, tzinfo=zone)
    tap = datetime(2027, 3, 14, 3, 5, tzinfo=zone)
    taps = [CheckIn("handed_over", "B", tap)]
    result = outcome(Exchange(planned, "B", "A"), taps, utc(2028, 1, 1))
    assert result.kind is Kind.ON_TIME
    assert late_minutes(planned, tap) == 10


def test_parents_in_different_zones_see_the_same_outcome():
    # Alex lives in Auckland, Sam in Chicago; their phones stamp the same instants differently.
    auckland, chicago = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Chicago")
    taps = [
        CheckIn("arrived", "A", at(-3).astimezone(auckland)),
        CheckIn("received", "B", at(22).astimezone(chicago)),
    ]
    result = outcome(Exchange(FRIDAY.astimezone(auckland), "A", "B"), taps, LATER)
    assert (result.kind, result.minutes_late) == (Kind.LATE, 22)


ZONES = ["UTC", "America/Chicago", "Pacific/Auckland", "Australia/Lord_Howe", "Asia/Kathmandu"]
# Hypothesis takes naive bounds and adds the zone itself.
FROM, UNTIL = datetime(2026, 1, 1), datetime(2028, 12, 31)  # noqa: DTZ001
INSTANTS = st.datetimes(FROM, UNTIL, timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)
OFFSETS = st.integers(-3 * 3600, 30 * 3600).map(lambda s: timedelta(seconds=s))
TAPS = st.lists(
    st.tuples(
        st.sampled_from(["arrived", "handed_over", "received"]), st.sampled_from("AB"), OFFSETS
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(
    planned=INSTANTS,
    taps=TAPS,
    now=OFFSETS,
    zones=st.lists(st.sampled_from(ZONES), min_size=8, max_size=8),
    grace=st.integers(0, 60),
)
def test_outcomes_depend_on_instants_only(planned, taps, now, zones, grace):
    rules = Rules(grace=timedelta(minutes=grace))
    check_ins = [CheckIn(step, parent, planned + offset) for step, parent, offset in taps]
    moved = [
        CheckIn(c.step, c.parent, c.at.astimezone(ZoneInfo(zones[i % len(zones)])))
        for i, c in enumerate(check_ins)
    ]
    exchange = Exchange(planned, "A", "B")
    here = outcome(exchange, check_ins, planned + now, rules=rules)
    there = outcome(
        Exchange(planned.astimezone(ZoneInfo(zones[0])), "A", "B"),
        moved,
        (planned + now).astimezone(ZoneInfo(zones[1])),
        rules=rules,
    )
    assert (here.kind, here.minutes_late, here.phase) == (
        there.kind,
        there.minutes_late,
        there.phase,
    )
    # And the outcome agrees with the rules written out.
    counted = [
        c
        for c in check_ins
        if c.at <= planned + now
        and c.at <= here.cutoff
        and ((c.step, c.parent) in {("handed_over", "A"), ("received", "B")})
    ]
    if counted:
        first = min(c.at for c in counted)
        assert here.completion is not None and here.completion.at == first
        if first - planned <= rules.grace:
            assert here.kind is Kind.ON_TIME
        else:
            assert here.kind is Kind.LATE
            assert here.minutes_late * M >= first - planned > (here.minutes_late - 1) * M
    elif now > timedelta(hours=24):
        assert here.kind is Kind.MISSED
    else:
        assert here.kind is Kind.PENDING


# --- many exchanges and the month summary -------------------------------------------------


def test_outcomes_bring_each_cut_off_forward_to_the_next_exchange_and_count_per_parent():
    # Alex to Sam on Friday 17:00, back to Alex on Saturday 09:00 (16 hours later, which is
    # Friday's cut-off), to Sam again on Tuesday.
    fri, sun, tue = FRIDAY, FRIDAY + timedelta(hours=16), FRIDAY + timedelta(days=4)
    week = [Exchange(fri, "A", "B"), Exchange(sun, "B", "A"), Exchange(tue, "A", "B")]
    taps = {
        fri: [CheckIn("received", "B", fri + 40 * M)],
        sun: [CheckIn("handed_over", "B", sun + 2 * M)],
        tue: [CheckIn("arrived", "B", tue)],
    }
    found = outcomes(week, taps, tue + timedelta(days=2))
    assert [o.kind for o in found] == [Kind.LATE, Kind.ON_TIME, Kind.MISSED]
    assert found[0].cutoff == sun and found[2].cutoff == tue + timedelta(hours=24)
    summary = summarize(found)
    assert summary.counts["A"]["handing_over"] == {Kind.ON_TIME: 0, Kind.LATE: 1, Kind.MISSED: 1}
    assert summary.counts["A"]["receiving"] == {Kind.ON_TIME: 1, Kind.LATE: 0, Kind.MISSED: 0}
    assert summary.counts["B"]["receiving"] == {Kind.ON_TIME: 0, Kind.LATE: 1, Kind.MISSED: 1}
    assert summary.total("B", Kind.ON_TIME) == 1
    assert (summary.changed, summary.pending) == (0, 0)


def test_the_month_summary_takes_the_month_in_the_familys_zone():
    chicago = ZoneInfo("America/Chicago")
    # 30 June 2027, 22:00 in Chicago is already 1 July in UTC.
    june = Exchange(local("America/Chicago", 2027, 6, 30, 22, 0), "A", "B")
    july = Exchange(utc(2027, 7, 1, 12, 0), "B", "A")
    later = utc(2027, 8, 1)
    found = [
        outcome(june, [CheckIn("received", "B", june.at)], later),
        outcome(july, [], later),
        outcome(july, [], later, changed=True),
        outcome(Exchange(utc(2027, 7, 31, 12), "A", "B"), [], utc(2027, 7, 31, 11)),
    ]
    assert month_summary(found, chicago, 2027, 6).total("A", Kind.ON_TIME) == 1
    july_summary = month_summary(found, chicago, 2027, 7)
    assert july_summary.total("A", Kind.ON_TIME) == 0
    assert july_summary.counts["B"]["handing_over"][Kind.MISSED] == 1
    assert (july_summary.changed, july_summary.pending) == (1, 1)

"""Properties of the calendar writer for any plan, range and feed zone (DST of every kind, the
zones of test_properties): every night in exactly one stay with the engine's parent, stays of one
parent never side by side, visits hold no night, UIDs unique, both parsers read the same
events, and SEQUENCE never goes down when a plan change is accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.schedule import (
    FeedOptions,
    Revision,
    Revisions,
    add_custody,
    calendar_text,
    custody_blocks,
    expand_dates,
    new_calendar,
    parent_at,
)
from coparent.core.schedule.expand import local_midnight
from tests.core.schedule.readers import read_both
from tests.core.schedule.test_properties import ZONES, plans_and_ranges

FEW = settings(max_examples=40, deadline=None)
MARGIN = timedelta(days=62)
STAMP = datetime(2027, 1, 1, tzinfo=UTC)


@FEW
@given(plans_and_ranges(), st.sampled_from(ZONES))
def test_every_night_is_in_exactly_one_stay_and_stays_never_touch_their_twin(case, zone_name):
    plan, first, stop = case
    zone = ZoneInfo(zone_name)
    expansion = expand_dates(plan, first - MARGIN, stop + MARGIN)
    blocks = custody_blocks(expansion.segments, zone, (first, stop))

    stays = [b for b in blocks if b.nights is not None]
    for before, after in zip(stays, stays[1:], strict=False):
        assert before.nights is not None and after.nights is not None
        assert before.nights[1] <= after.nights[0], "stays never overlap"
        if before.nights[1] == after.nights[0]:
            assert before.parent != after.parent, "one parent's nights are one stay"
    owner = {}
    for block in stays:
        assert block.nights is not None
        day = block.nights[0]
        while day < block.nights[1]:
            owner[day] = block.parent
            day += timedelta(days=1)
    day = first
    while day < stop:
        assert owner[day] == parent_at(plan, local_midnight(zone, day + timedelta(days=1)))
        day += timedelta(days=1)
    for visit in (b for b in blocks if b.nights is None):
        # A visit holds no midnight, so it lies within one local day.
        start, end = visit.start.astimezone(zone), visit.end.astimezone(zone)
        assert local_midnight(zone, start.date() + timedelta(days=1)) >= visit.end, (start, end)


@FEW
@given(plans_and_ranges(), st.sampled_from(ZONES))
def test_uids_are_unique_and_both_parsers_read_the_same_feed(case, zone_name):
    plan, first, stop = case
    expansion = expand_dates(plan, first - MARGIN, stop + MARGIN)
    options = FeedOptions(
        zone=ZoneInfo(zone_name),
        namespace="family-1",
        name="Rivera family",
        stamp=STAMP,
        exchange_reminder=timedelta(hours=2),
    )
    calendar = new_calendar(options)
    add_custody(
        calendar,
        expansion.segments,
        expansion.exchanges,
        plan_at=lambda _moment: plan,
        revision_at=lambda _end: Revision(0, STAMP),
        options=options,
        window=(first, stop),
    )
    text = calendar_text(calendar, (first, stop))

    written = [str(e["UID"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")]
    assert len(written) == len(set(written))
    assert sorted(read_both(text)) == sorted(written)
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        start = event["DTSTART"].dt
        if isinstance(start, datetime) and zone_name == "UTC":
            assert "TZID" not in event["DTSTART"].params and start.utcoffset() == timedelta(0)
        elif isinstance(start, datetime):
            assert str(event["DTSTART"].params["TZID"]) == zone_name


INSTANTS = st.datetimes(
    datetime(2027, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; made UTC below
    datetime(2029, 1, 1),  # noqa: DTZ001
).map(lambda moment: moment.replace(tzinfo=UTC))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(INSTANTS, min_size=1, max_size=6),
    INSTANTS,
    INSTANTS,
    st.integers(min_value=0, max_value=10**6),
)
def test_an_acceptance_never_lowers_a_sequence(starts, change, end, late):
    """Acceptances in order, each governing from a start; a new one governing from `change`.
    An event ending before `change` keeps its end (the schedule there is untouched) and never
    goes down; one ending at or after it gets the highest SEQUENCE."""
    accepted = [STAMP + timedelta(hours=i) for i in range(len(starts))]
    before = Revisions(zip(accepted, starts, strict=True), default=STAMP)
    now = accepted[-1] + timedelta(seconds=late + 1)
    after = Revisions([*zip(accepted, starts, strict=True), (now, change)], default=STAMP)

    if end < change:
        assert after.at(end) == before.at(end)
    else:
        assert after.at(end) == Revision(len(starts), now)
        assert after.at(end).sequence > before.at(end).sequence
    # Later-ending events never have a lower SEQUENCE than earlier-ending ones.
    assert after.at(end).sequence <= after.at(end + timedelta(days=1)).sequence

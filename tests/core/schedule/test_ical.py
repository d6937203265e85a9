"""The iCalendar writer: what it writes is read back by `icalendar`, expanded independently by
`recurring-ical-events`, and has every custody block and exchange at the same instants; UIDs
stay put and SEQUENCE rises when an event changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest
import recurring_ical_events

from coparent.core.schedule import EventVersion, expand_dates, write_ics
from tests.core.schedule.plans import plan, utc

STAMP = datetime(2027, 1, 1, tzinfo=UTC)
HOLIDAY = {
    "name": "Thanksgiving",
    "date": "Thanksgiving",
    "country": "US",
    "start": "-1d 18:00",
    "end": "+3d 18:00",
    "odd_years": "B",
    "even_years": "A",
}
OVERRIDE = {
    "start": "2027-03-13T10:00:00",
    "end": "2027-03-14T02:30:00",
    "parent": "A",
    "note": "Science fair",
}


def _busy_plan(**changes):
    return plan(
        **{"exchange_time": "02:30", "holiday": [HOLIDAY], "override": [OVERRIDE], **changes}
    )


def _read_back(text, first, stop):
    calendar = icalendar.Calendar.from_ical(text)
    low = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    high = datetime.combine(stop, datetime.min.time(), tzinfo=UTC)
    return recurring_ical_events.of(calendar).between(low, high)


@pytest.mark.parametrize("local_times", [False, True], ids=["utc", "vtimezone"])
def test_every_block_and_exchange_is_in_the_feed_at_the_same_instants(local_times):
    busy = _busy_plan()
    # Across the spring-forward night (an exchange in the gap), Thanksgiving and the fall-back.
    expansion = expand_dates(busy, date(2027, 3, 1), date(2027, 12, 1))
    feed = write_ics(
        busy, expansion, uid_namespace="family-1", stamp=STAMP, local_times=local_times
    )
    events = _read_back(feed.text, date(2027, 2, 27), date(2027, 12, 3))

    def instant(value):
        return value.dt.astimezone(UTC)

    blocks = {
        (instant(e["DTSTART"]), instant(e["DTEND"]), str(e["SUMMARY"]))
        for e in events
        if "Custody" in str(e.get("CATEGORIES").to_ical())
    }
    handovers = {
        (instant(e["DTSTART"]), str(e["SUMMARY"]))
        for e in events
        if "Exchange" in str(e.get("CATEGORIES").to_ical())
    }
    names = dict(zip("AB", busy.parents, strict=True))
    expected_blocks = {
        (
            s.start,
            s.end,
            f"With {names[s.parent]}"
            + ("" if s.source.kind == "rotation" else f" ({s.source.label})"),
        )
        for s in expansion.segments
    }
    expected_handovers = {
        (e.at, f"Exchange: {names[e.from_parent]} → {names[e.to_parent]}")
        for e in expansion.exchanges
    }
    assert blocks == expected_blocks
    assert handovers == expected_handovers
    assert len(events) == len(expansion.segments) + len(expansion.exchanges)
    # The exchange in the gap: 02:30 does not exist on 14 March, so it is 03:30 CDT.
    assert (utc(2027, 3, 14, 8, 30), "Exchange: Alex → Sam") in handovers


def test_the_feed_is_rfc_5545_text_with_the_required_properties():
    busy = _busy_plan()
    feed = write_ics(
        busy,
        expand_dates(busy, date(2027, 3, 1), date(2027, 3, 8)),
        uid_namespace="family-1",
        stamp=STAMP,
        name="Rivera family",
    )
    lines = feed.text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines and "X-WR-CALNAME:Rivera family" in lines
    calendar = icalendar.Calendar.from_ical(feed.text)
    for event in calendar.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART", "SUMMARY", "SEQUENCE"} <= set(event)


def test_uids_are_stable_across_writes_and_overlapping_ranges():
    busy = _busy_plan()
    march = write_ics(
        busy,
        expand_dates(busy, date(2027, 3, 1), date(2027, 4, 1)),
        uid_namespace="family-1",
        stamp=STAMP,
    )
    again = write_ics(
        busy,
        expand_dates(busy, date(2027, 3, 1), date(2027, 4, 1)),
        uid_namespace="family-1",
        stamp=STAMP,
    )
    later = write_ics(
        busy,
        expand_dates(busy, date(2027, 3, 15), date(2027, 5, 1)),
        uid_namespace="family-1",
        stamp=STAMP,
    )
    other = write_ics(
        busy,
        expand_dates(busy, date(2027, 3, 1), date(2027, 4, 1)),
        uid_namespace="family-2",
        stamp=STAMP,
    )

    assert march.text == again.text
    exchanges = {uid for uid in march.versions if uid.startswith("exchange-")}
    late_exchanges = {uid for uid in later.versions if uid.startswith("exchange-")}
    # Every March exchange from the 15th on is in the later feed under the same UID.
    assert exchanges & late_exchanges == {
        uid for uid in exchanges if uid.split("-")[1] >= "20270315"
    }
    assert not set(march.versions) & set(other.versions)


def test_sequence_rises_only_for_events_that_changed():
    before = _busy_plan()
    first = write_ics(
        before,
        expand_dates(before, date(2027, 3, 1), date(2027, 4, 1)),
        uid_namespace="family-1",
        stamp=STAMP,
    )
    assert {v.sequence for v in first.versions.values()} == {0}

    # The science fair now ends at noon on Sunday: one block changes, one exchange moves.
    after = _busy_plan(override=[{**OVERRIDE, "end": "2027-03-14T12:00:00"}])
    second = write_ics(
        after,
        expand_dates(after, date(2027, 3, 1), date(2027, 4, 1)),
        uid_namespace="family-1",
        stamp=STAMP,
        previous=first.versions,
    )

    raised = {uid for uid, v in second.versions.items() if v.sequence == 1}
    kept = {uid for uid, v in second.versions.items() if uid in first.versions and v.sequence == 0}
    new = set(second.versions) - set(first.versions)
    fair = next(uid for uid in raised if uid.startswith("custody-"))
    assert fair.startswith("custody-20270313T160000Z")  # 10:00 CST, the fair's start
    assert len(raised) == 1
    assert {uid.split("-")[0] for uid in new} == {"exchange", "custody"}
    assert len(kept) == len(first.versions) - 1 - 2  # the fair, the old exchange, the old block
    written = {
        str(event["UID"]): int(event["SEQUENCE"])
        for event in icalendar.Calendar.from_ical(second.text).walk("VEVENT")
    }
    assert written == {uid: version.sequence for uid, version in second.versions.items()}

    third = write_ics(
        after,
        expand_dates(after, date(2027, 3, 1), date(2027, 4, 1)),
        uid_namespace="family-1",
        stamp=STAMP,
        previous=second.versions,
    )
    assert third.versions == second.versions  # nothing changed, nothing raised
    assert third.versions[fair] == EventVersion(second.versions[fair].fingerprint, 1)

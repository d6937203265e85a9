"""The calendar writer, read back by two independent parsers (`icalendar`, and `vobject`, which
builds its zones from the VTIMEZONE it is given rather than from the zone database): parenting
time as all-day stays, exchanges as short timed events at the engine's instants in the
family's zone, UIDs that survive a plan change, SEQUENCE that only rises, and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from coparent.core.schedule import (
    FeedOptions,
    Revision,
    Revisions,
    add_custody,
    add_event,
    calendar_text,
    expand_dates,
    new_calendar,
    parent_at,
)
from coparent.core.schedule.expand import local_midnight
from coparent.core.schedule.ical import write_ics
from tests.core.schedule.plans import local, plan, utc
from tests.core.schedule.readers import read_both, vobject_calendar

STAMP = datetime(2027, 1, 1, tzinfo=UTC)
MARGIN = timedelta(days=62)
HOLIDAY = {
    "name": "Thanksgiving",
    "date": "Thanksgiving",
    "country": "US",
    "start": "-1d 18:00",
    "end": "+3d 18:00",
    "odd_years": "B",
    "even_years": "A",
}


def feed(the_plan, first, stop, *, zone=None, revision_at=None, **options):
    """The calendar text of `the_plan` over the local dates [first, stop), written in `zone`
    (the plan's by default), expanded two months further each side as the app does."""
    expansion = expand_dates(the_plan, first - MARGIN, stop + MARGIN)
    settings = FeedOptions(
        zone=ZoneInfo(zone or the_plan.timezone),
        namespace="family-1",
        name="Rivera family",
        stamp=STAMP,
        **options,
    )
    calendar = new_calendar(settings)
    add_custody(
        calendar,
        expansion.segments,
        expansion.exchanges,
        plan_at=lambda _moment: the_plan,
        revision_at=revision_at or (lambda _end: Revision(0, STAMP)),
        options=settings,
        window=(first, stop),
    )
    return calendar_text(calendar, (first, stop))


def test_parenting_time_is_one_all_day_stay_per_parent_by_the_nights():
    # 2-2-3 from Monday 4 January 2027, exchanges at 18:00: Alex Mon-Tue nights, Sam Wed-Thu,
    # Alex Fri-Sun, then Sam Mon-Tue...
    events = read_both(feed(plan(), date(2027, 1, 4), date(2027, 1, 18)))
    stays = sorted(
        (start, end, summary) for summary, start, end in events.values() if summary[:5] == "With "
    )
    assert stays[:4] == [
        (date(2027, 1, 4), date(2027, 1, 6), "With Alex"),
        (date(2027, 1, 6), date(2027, 1, 8), "With Sam"),
        (date(2027, 1, 8), date(2027, 1, 11), "With Alex"),
        (date(2027, 1, 11), date(2027, 1, 13), "With Sam"),
    ]
    text = feed(plan(), date(2027, 1, 4), date(2027, 1, 18))
    assert "DTSTART;VALUE=DATE:20270104" in text


def test_a_holiday_next_to_the_same_parents_rotation_is_merged_into_one_stay():
    # Thanksgiving 2027 (25 November) is Sam's: from Wednesday 24 18:00 to Sunday 28 18:00.
    # In the 2-2-3 Sam also has the rotation's nights on either side that touch it.
    events = read_both(feed(plan(holiday=[HOLIDAY]), date(2027, 11, 15), date(2027, 12, 6)))
    stays = sorted(
        (start, end, summary) for summary, start, end in events.values() if summary[:5] == "With "
    )
    holiday = [stay for stay in stays if "Thanksgiving" in stay[2]]
    assert len(holiday) == 1
    assert holiday[0][2] == "With Sam (Thanksgiving)"
    assert holiday[0][0] <= date(2027, 11, 24) and holiday[0][1] >= date(2027, 11, 28)
    for before, after in zip(stays, stays[1:], strict=False):
        assert before[1] == after[0], "the nights follow one another with no gap"
        assert before[2].split()[1] != after[2].split()[1], "never one parent twice in a row"


def test_a_day_visit_is_a_timed_event_and_does_not_split_the_other_parents_stay():
    zoo = {"start": "2027-01-09T10:00:00", "end": "2027-01-09T16:00:00", "parent": "B"}
    events = read_both(
        feed(plan(override=[{**zoo, "note": "Zoo"}]), date(2027, 1, 4), date(2027, 1, 18))
    )
    visit = [value for value in events.values() if value[0] == "With Sam (Zoo)"]
    assert visit == [
        ("With Sam (Zoo)", local("America/Chicago", 2027, 1, 9, 10), utc(2027, 1, 9, 22))
    ]
    # Alex's weekend stays one bar, Friday to Monday.
    assert ("With Alex", date(2027, 1, 8), date(2027, 1, 11)) in events.values()


@pytest.mark.parametrize("zone", ["America/Chicago", "Pacific/Auckland"])
def test_exchanges_are_short_timed_events_at_the_engines_instants_across_dst(zone):
    # An exchange every day at 02:30 Chicago time: one falls in the spring-forward gap (14
    # March 2027, so 03:30 CDT) and the months cross both changes in Chicago and in Auckland (4
    # April, 26 September). The feed is written in `zone`; vobject reads the instants back
    # through the VTIMEZONE alone.
    the_plan = plan(
        exchange_time="02:30", exchange_place="School gate", pattern=None, rotation="AB"
    )
    first, stop = date(2027, 3, 1), date(2027, 12, 1)
    text = feed(the_plan, first, stop, zone=zone)
    events = read_both(text)
    expected = {
        x.at
        for x in expand_dates(the_plan, first, stop).exchanges
        if local_midnight(ZoneInfo(zone), first) <= x.at < local_midnight(ZoneInfo(zone), stop)
    }
    handovers = {start: (summary, end) for summary, start, end in events.values() if "→" in summary}
    assert set(handovers) == expected
    assert all(end - start == timedelta(minutes=15) for start, (_s, end) in handovers.items())
    assert utc(2027, 3, 14, 8, 30) in handovers
    calendar = icalendar.Calendar.from_ical(text)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]
    assert str(calendar["X-WR-TIMEZONE"]) == zone
    exchange = next(e for e in calendar.walk("VEVENT") if "→" in str(e["SUMMARY"]))
    assert exchange["DTSTART"].params["TZID"] == zone
    assert str(exchange["LOCATION"]) == "School gate"
    assert "hands the children over to" in str(exchange["DESCRIPTION"])


def test_the_calendar_carries_its_name_and_a_refresh_hint():
    text = feed(plan(), date(2027, 1, 1), date(2027, 2, 1))
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and text.endswith("END:VCALENDAR\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "X-WR-CALNAME:Rivera family" in lines and "NAME:Rivera family" in lines
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"} <= set(event)
        assert {"LAST-MODIFIED"} <= set(event)


def test_the_same_data_gives_the_same_bytes():
    assert feed(plan(), date(2027, 1, 1), date(2027, 3, 1)) == feed(
        plan(), date(2027, 1, 1), date(2027, 3, 1)
    )


def uids(text, kind):
    return {
        str(e["UID"]): e
        for e in icalendar.Calendar.from_ical(text).walk("VEVENT")
        if str(e["UID"]).startswith(kind)
    }


def test_uids_survive_a_new_exchange_time_and_place():
    first, stop = date(2027, 3, 1), date(2027, 6, 1)
    before = feed(plan(), first, stop)
    after = feed(plan(exchange_time="17:30", exchange_place="Library"), first, stop)
    for kind in ("custody", "exchange"):
        old, new = uids(before, kind), uids(after, kind)
        assert old.keys() == new.keys() and old
    moved = [
        (uids(before, "exchange")[uid]["DTSTART"].dt, event["DTSTART"].dt)
        for uid, event in uids(after, "exchange").items()
    ]
    assert all(new == old - timedelta(minutes=30) for old, new in moved)


def test_a_stay_trimmed_by_an_override_keeps_its_uid():
    # Alex's Friday-to-Monday weekend of 8 January; Sam takes the Friday night instead.
    first, stop = date(2027, 1, 4), date(2027, 2, 1)
    swap = {"start": "2027-01-08T18:00:00", "end": "2027-01-09T18:00:00", "parent": "B"}
    before, after = feed(plan(), first, stop), feed(plan(override=[swap]), first, stop)
    weekend = next(
        uid for uid, e in uids(before, "custody").items() if e["DTSTART"].dt == date(2027, 1, 8)
    )
    trimmed = uids(after, "custody")[weekend]
    assert (trimmed["DTSTART"].dt, trimmed["DTEND"].dt) == (date(2027, 1, 9), date(2027, 1, 11))


def test_uids_do_not_depend_on_the_window_and_differ_between_families():
    march = uids(feed(plan(), date(2027, 3, 1), date(2027, 4, 1)), "")
    spring = uids(feed(plan(), date(2027, 3, 15), date(2027, 6, 1)), "")
    shared = march.keys() & spring.keys()
    assert shared and all(march[u]["DTSTART"].dt == spring[u]["DTSTART"].dt for u in shared)
    expansion = expand_dates(plan(), date(2027, 1, 1), date(2027, 5, 1))
    other = FeedOptions(zone=ZoneInfo("UTC"), namespace="family-2", name="x", stamp=STAMP)
    calendar = new_calendar(other)
    add_custody(
        calendar,
        expansion.segments,
        expansion.exchanges,
        plan_at=lambda _m: plan(),
        revision_at=lambda _e: Revision(0, STAMP),
        options=other,
        window=(date(2027, 3, 1), date(2027, 4, 1)),
    )
    assert (
        not march.keys()
        & uids(calendar_text(calendar, (date(2027, 3, 1), date(2027, 4, 1))), "").keys()
    )


def test_revisions_count_the_acceptances_that_reach_an_event():
    first = (utc(2027, 1, 1), utc(2027, 1, 4))  # the first plan, in force from 4 January
    later = (utc(2027, 2, 1), utc(2027, 3, 1))  # a change accepted 1 Feb, from 1 March
    revisions = Revisions([later, first], default=STAMP)
    assert revisions.at(utc(2027, 2, 20)) == Revision(0, utc(2027, 1, 1))
    assert revisions.at(utc(2027, 3, 1)) == Revision(1, utc(2027, 2, 1))
    # A third change, from 15 February, moves everything from then on, March included.
    third = (utc(2027, 2, 10), utc(2027, 2, 15))
    revisions = Revisions([first, later, third], default=STAMP)
    assert revisions.at(utc(2027, 2, 20)) == Revision(2, utc(2027, 2, 10))
    assert revisions.at(utc(2027, 2, 14)) == Revision(0, utc(2027, 1, 1))
    assert revisions.latest == utc(2027, 2, 10)
    assert Revisions([], default=STAMP).at(utc(2030, 1, 1)) == Revision(0, STAMP)


def test_reminders_ring_before_exchanges_and_the_evening_before_all_day_events():
    text = feed(
        plan(),
        date(2027, 1, 4),
        date(2027, 1, 18),
        exchange_reminder=timedelta(hours=2),
    )
    calendar = icalendar.Calendar.from_ical(text)
    for event in calendar.walk("VEVENT"):
        alarms = event.walk("VALARM")
        if "→" in str(event["SUMMARY"]):
            assert [a["TRIGGER"].dt for a in alarms] == [timedelta(hours=-2)]
            assert str(alarms[0]["ACTION"]) == "DISPLAY"
        else:
            assert alarms == []  # stays do not ring
    options = FeedOptions(zone=ZoneInfo("UTC"), namespace="n", name="n", stamp=STAMP)
    calendar = new_calendar(options)
    for uid, start, end in [
        ("party", utc(2027, 5, 1, 14), utc(2027, 5, 1, 16)),
        ("camp", date(2027, 7, 5), date(2027, 7, 10)),
    ]:
        add_event(
            calendar,
            uid=uid,
            start=start,
            end=end,
            summary=uid,
            zone=ZoneInfo("Europe/Paris"),
            options=options,
            revision=Revision(3, STAMP),
            remind=timedelta(days=1),
        )
    add_event(
        calendar,
        uid="off",
        start=date(2027, 7, 1),
        end=date(2027, 7, 2),
        summary="off",
        cancelled=True,
        options=options,
        revision=Revision(1, STAMP),
        remind=timedelta(days=1),
    )
    text = calendar_text(calendar, (date(2027, 1, 1), date(2028, 1, 1)))
    read = {e.uid.value: e for e in vobject_calendar(text).vevent_list}
    assert read["party"].valarm.trigger.value == timedelta(days=-1)
    assert "DTSTART;TZID=Europe/Paris:20270501T160000" in text.split("\r\n")
    assert read["party"].dtstart.value.astimezone(UTC) == utc(2027, 5, 1, 14)
    assert read["camp"].valarm.trigger.value == timedelta(hours=-6)
    assert read["camp"].dtend.value == date(2027, 7, 10)
    assert read["off"].status.value == "CANCELLED" and not hasattr(read["off"], "valarm")
    assert read["party"].sequence.value == "3"
    with pytest.raises(TypeError):
        add_event(
            calendar,
            uid="x",
            start=date(2027, 1, 1),
            end=utc(2027, 1, 2),
            summary="x",
            options=options,
            revision=Revision(0, STAMP),
        )


def test_the_plan_file_calendar_is_the_same_writer():
    the_plan = plan(holiday=[HOLIDAY])
    expansion = expand_dates(the_plan, date(2027, 9, 1), date(2028, 2, 1))
    text = write_ics(
        the_plan,
        expansion.segments,
        expansion.exchanges,
        window=(date(2027, 11, 1), date(2027, 12, 1)),
        namespace="plan:Alex|Sam",
        name="Alex and Sam",
        stamp=STAMP,
    )
    events = read_both(text)
    assert ("With Sam (Thanksgiving)") in {summary for summary, _s, _e in events.values()}
    # Every night of November is in exactly one stay, with the parent the engine gives.
    nights = {}
    for summary, start, end in events.values():
        if isinstance(start, date) and not isinstance(start, datetime):
            day = start
            while day < end:
                assert day not in nights
                nights[day] = summary.split()[1]
                day += timedelta(days=1)
    zone = the_plan.zone
    for offset in range(30):
        day = date(2027, 11, 1) + timedelta(days=offset)
        parent = parent_at(the_plan, local_midnight(zone, day + timedelta(days=1)))
        assert nights[day] == the_plan.name_of(parent)

"""The selectors the calendar and the iCalendar feed read events through: half-open ranges,
cancelled events included and marked, children and answers loaded in a fixed number of
queries, all-day events from midnight to midnight in their own zone, and clock times read
by the DST rules of ARCHITECTURE.md."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from coparent.events import services
from coparent.events.selectors import events_between, get_event
from tests.events.conftest import add_party, clock

PARIS = ZoneInfo("Europe/Paris")


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def party(cast):
    """Mia's party on Saturday 12 June 2027, 15:00-17:30 in Paris (13:00-15:30 UTC)."""
    return add_party(cast, starts_at=clock(2027, 6, 12, 15, 0), ends_at=clock(2027, 6, 12, 17, 30))


@pytest.mark.parametrize(
    ("start", "end", "found"),
    [
        (_at(2027, 6, 12, 0, 0), _at(2027, 6, 13, 0, 0), True),  # the day of the party
        (_at(2027, 6, 12, 17, 29), _at(2027, 6, 12, 18, 0), True),  # its last minute
        (_at(2027, 6, 12, 17, 30), _at(2027, 6, 12, 18, 0), False),  # from its very end
        (_at(2027, 6, 12, 14, 0), _at(2027, 6, 12, 15, 0), False),  # up to its very start
        (_at(2027, 6, 12, 14, 0), _at(2027, 6, 12, 15, 1), True),
        (_at(2027, 6, 1, 0, 0), _at(2027, 7, 1, 0, 0), True),  # the month
    ],
)
def test_events_between_finds_what_overlaps_the_half_open_range(cast, party, start, end, found):
    events = events_between(cast.access(cast.sam), start, end)
    assert [e.pk for e in events] == ([party.pk] if found else [])


def test_the_calendar_gets_children_answers_and_cancelled_events_in_three_queries(
    cast, party, django_assert_num_queries
):
    access = cast.access(cast.sam)
    services.rsvp_set(access=access, event=party, answer="yes", note="Cake!")
    play = add_party(
        cast,
        title="School play",
        kind="school",
        children=[cast.mia, cast.leo],
        starts_at=clock(2027, 6, 20, 18, 0),
        ends_at=clock(2027, 6, 20, 19, 30),
    )
    services.event_cancel(access=access, event=play, reason="Teacher ill")

    # 1 events with who added them, 2 their children, 3 their answers with who gave them.
    with django_assert_num_queries(3):
        events = events_between(access, _at(2027, 6, 1, 0, 0), _at(2027, 7, 1, 0, 0))
        seen = [
            (
                e.title,
                e.is_cancelled,
                [c.name for c in e.children.all()],
                [(r.user.display_name, r.answer) for r in e.rsvp_list],
                e.created_by.display_name,
            )
            for e in events
        ]
    assert seen == [
        ("Mia's birthday party", False, ["Mia"], [("Sam", "yes")], "Alex"),
        ("School play", True, ["Mia", "Leo"], [], "Alex"),
    ]
    assert events[1].sequence == 1  # cancelled: a feed sends the new SEQUENCE
    assert events[0].ical_uid == f"child-event-{party.pk}@coparent"


def test_a_viewer_gets_the_events_without_the_answers(cast, party, django_assert_num_queries):
    services.rsvp_set(access=cast.access(cast.sam), event=party, answer="yes")
    vic = cast.access(cast.vic)
    # 1 events, 2 children; no query for answers a viewer does not see.
    with django_assert_num_queries(2):
        (event,) = events_between(vic, _at(2027, 6, 1, 0, 0), _at(2027, 7, 1, 0, 0))
        assert event.rsvp_list == []


def test_events_between_wants_aware_bounds(cast):
    with pytest.raises(ValueError, match="aware"):
        events_between(cast.access(cast.alex), datetime(2027, 6, 1), datetime(2027, 7, 1))  # noqa: DTZ001 - the point


def test_get_event_is_a_404_for_another_family_or_a_bad_id(cast, party):
    assert get_event(cast.access(cast.vic), party.pk).pk == party.pk
    for who, event_id in [
        (cast.olivia, party.pk),
        (cast.alex, "not-an-id"),
        (cast.alex, "00000000-0000-0000-0000-000000000000"),
    ]:
        family = cast.other_family if who == cast.olivia else cast.family
        with pytest.raises(Http404):
            get_event(cast.access(who, family), event_id)


def test_olivias_events_never_show_in_the_rivera_calendar(cast, party):
    services.event_add(
        access=cast.access(cast.olivia, cast.other_family),
        title="Ada's recital",
        kind="activity",
        children=[cast.other_child],
        timezone_name="Europe/Paris",
        starts_at=clock(2027, 6, 12, 15, 0),
        ends_at=clock(2027, 6, 12, 16, 0),
    )
    june = (_at(2027, 6, 1, 0, 0), _at(2027, 7, 1, 0, 0))
    assert [e.title for e in events_between(cast.access(cast.alex), *june)] == [
        "Mia's birthday party"
    ]


def test_an_all_day_event_runs_from_midnight_to_midnight_in_its_zone(cast):
    trip = services.event_add(
        access=cast.access(cast.alex),
        title="Scout camp",
        kind="activity",
        children=[cast.leo],
        timezone_name="America/Chicago",
        all_day=True,
        start_date=date(2027, 7, 3),
        end_date=date(2027, 7, 4),
    )
    chicago = ZoneInfo("America/Chicago")
    assert trip.starts_at == datetime(2027, 7, 3, tzinfo=chicago)
    assert trip.ends_at == datetime(2027, 7, 5, tzinfo=chicago)
    assert (trip.start_date, trip.end_date, trip.last_date) == (
        date(2027, 7, 3),
        date(2027, 7, 4),
        date(2027, 7, 4),
    )
    access = cast.access(cast.alex)
    assert events_between(
        access, datetime(2027, 7, 5, 4, 59, tzinfo=UTC), datetime(2027, 7, 6, tzinfo=UTC)
    )
    assert not events_between(
        access, datetime(2027, 7, 5, 5, 0, tzinfo=UTC), datetime(2027, 7, 6, tzinfo=UTC)
    )


def test_a_clock_time_in_the_spring_forward_gap_is_read_with_the_offset_before_it(cast):
    # Paris skips from 02:00 to 03:00 on 28 March 2027: 02:30 does not exist, and is read
    # with the winter offset (+01:00), which is 03:30 summer time (ARCHITECTURE.md).
    early = add_party(
        cast,
        title="Early swim",
        starts_at=clock(2027, 3, 28, 2, 30),
        ends_at=clock(2027, 3, 28, 4, 0),
    )
    assert early.starts_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert early.local_start.strftime("%H:%M%z") == "03:30+0200"


def test_an_ambiguous_fall_back_time_is_its_first_occurrence(cast):
    # 02:30 happens twice on 31 October 2027 in Paris; the first is 00:30 UTC.
    night = add_party(
        cast,
        title="Night train",
        starts_at=clock(2027, 10, 31, 2, 30),
        ends_at=clock(2027, 10, 31, 5, 0),
    )
    assert night.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert night.ends_at - night.starts_at == timedelta(hours=3, minutes=30)  # real time

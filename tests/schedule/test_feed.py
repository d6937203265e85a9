"""The calendar feed as a parent subscribes to it in Google, Apple or Outlook calendar: read
back by two independent parsers (`icalendar`, and `vobject`, which takes its zones from the
feed's own VTIMEZONE), in the family's zone, with stays by the nights, short exchanges, the
children's events, UIDs that survive a plan change, reminders chosen on the feed page, and
conditional GETs for calendars that poll every hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from coparent.core.schedule import local_midnight, parent_at
from coparent.core.zones import zone_or_utc
from coparent.events.services import event_add, event_cancel
from coparent.families.services import family_zone_set
from coparent.schedule import selectors
from coparent.schedule.feed import MARGIN, feed_window
from coparent.schedule.models import FeedToken
from coparent.schedule.services import (
    feed_create,
    feed_revoke,
    feed_token_of,
    plan_accept,
    plan_propose,
)
from tests.core.schedule.readers import vobject_calendar
from tests.schedule.conftest import plan_data


@pytest.fixture
def in_force(cast, soon):
    family_zone_set(access=cast.access(cast.alex), timezone_name="America/Chicago")
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=version)
    return version


def party(cast, days, title="Mia's birthday party", zone="America/Chicago"):
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return event_add(
        access=cast.access(cast.alex),
        title=title,
        kind="birthday_party",
        children=[cast.mia],
        timezone_name=zone,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Bounce park",
        notify=False,
    )


def camp(cast, days):
    first = timezone.now().date() + timedelta(days=days)
    return event_add(
        access=cast.access(cast.alex),
        title="Summer camp",
        kind="other",
        children=[cast.leo],
        timezone_name="America/Chicago",
        all_day=True,
        start_date=first,
        end_date=first + timedelta(days=4),
        notify=False,
    )


def read(response):
    """The served feed through both parsers: (icalendar's calendar, vobject's events by UID,
    icalendar's events by UID). Both must see the same events at the same instants."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    calendar = icalendar.Calendar.from_ical(text)
    mine = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    theirs = {e.uid.value: e for e in vobject_calendar(text).vevent_list}
    assert mine.keys() == theirs.keys()
    for uid, event in mine.items():
        start, other = event["DTSTART"].dt, theirs[uid].dtstart.value
        if isinstance(start, datetime):
            assert start.astimezone(UTC) == other.astimezone(UTC), uid
        else:
            assert start == other, uid
    return calendar, theirs, mine


def subscribe(cast, user):
    token = feed_token_of(feed_create(access=cast.access(user)))
    client = cast.client_for(None)
    return client, f"/feeds/{token}.ics"


def window_of(cast, zone):
    first, stop = feed_window(timezone.now().astimezone(zone).date())
    return local_midnight(zone, first), local_midnight(zone, stop)


def test_sam_subscribes_and_sees_stays_exchanges_and_the_childrens_events(cast, in_force):
    kept, trip = party(cast, 12), party(cast, 16, "Museum trip", zone="Europe/Paris")
    dropped = party(cast, 20, "Football game")
    event_cancel(access=cast.access(cast.alex), event=dropped, reason="Rained off", notify=False)
    dropped.refresh_from_db()
    summer = camp(cast, 40)
    client, url = subscribe(cast, cast.sam)

    calendar, by_vobject, events = read(client.get(url))

    assert str(calendar["X-WR-TIMEZONE"]) == "America/Chicago"
    assert str(calendar["X-WR-CALNAME"]) == "Rivera family · Coparent"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "America/Chicago",
        "Europe/Paris",
    }
    zone = zone_or_utc("America/Chicago")
    stays = sorted(
        (e["DTSTART"].dt, e["DTEND"].dt, str(e["SUMMARY"]))
        for uid, e in events.items()
        if uid.startswith("custody-")
    )
    assert stays and all(type(start) is date and type(end) is date for start, end, _ in stays)
    for before, after in zip(stays, stays[1:], strict=False):
        assert before[1] == after[0] and before[2] != after[2]
    # Each night's parent is the engine's.
    plan = selectors.schedule_of(cast.access(cast.sam)).current_plan()
    for start, end, summary in stays[:6]:
        night = start
        while night < end:
            who = parent_at(plan, local_midnight(zone, night + timedelta(days=1)))
            assert summary.startswith(f"With {plan.name_of(who)}")
            night += timedelta(days=1)
    schedule = selectors.schedule_of(cast.access(cast.sam))
    low, high = window_of(cast, zone)
    _segments, exchanges = schedule.expand(low - MARGIN, high + MARGIN)
    expected = {x.at for x in exchanges if low <= x.at < high}
    handovers = {uid: e for uid, e in events.items() if uid.startswith("exchange-")}
    assert {e["DTSTART"].dt.astimezone(UTC) for e in handovers.values()} == expected
    handover = next(iter(handovers.values()))
    assert handover["DTSTART"].params["TZID"] == "America/Chicago"
    assert handover["DTEND"].dt - handover["DTSTART"].dt == timedelta(minutes=15)
    assert str(handover["LOCATION"]) == "Lincoln Elementary, front door"
    assert " hands the children over to " in str(handover["DESCRIPTION"])
    assert not handover.walk("VALARM")  # no reminder until Sam asks for one

    assert events[kept.ical_uid]["DTSTART"].dt == kept.starts_at
    assert events[kept.ical_uid]["DTSTART"].params["TZID"] == "America/Chicago"
    assert str(events[kept.ical_uid]["SUMMARY"]) == "Mia's birthday party (Mia)"
    # A trip abroad keeps its own zone, which vobject reads from its VTIMEZONE.
    assert events[trip.ical_uid]["DTSTART"].params["TZID"] == "Europe/Paris"
    assert by_vobject[trip.ical_uid].dtstart.value.astimezone(UTC) == trip.starts_at
    assert str(events[dropped.ical_uid]["STATUS"]) == "CANCELLED"
    assert int(events[dropped.ical_uid]["SEQUENCE"]) == dropped.sequence
    whole = events[summer.ical_uid]
    assert (whole["DTSTART"].dt, whole["DTEND"].dt) == (
        summer.start_date,
        summer.end_date + timedelta(days=1),
    )
    assert "DTSTART;VALUE=DATE:" + summer.start_date.strftime("%Y%m%d") in client.get(
        url
    ).content.decode().split("\r\n")


def test_a_family_in_auckland_reads_auckland_times_of_a_chicago_plan(cast, in_force):
    family_zone_set(access=cast.access(cast.alex), timezone_name="Pacific/Auckland")
    client, url = subscribe(cast, cast.alex)

    calendar, by_vobject, events = read(client.get(url))

    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Pacific/Auckland"]
    zone = zone_or_utc("Pacific/Auckland")
    low, high = window_of(cast, zone)
    schedule = selectors.schedule_of(cast.access(cast.alex))
    _segments, exchanges = schedule.expand(low - MARGIN, high + MARGIN)
    handovers = [uid for uid in events if uid.startswith("exchange-")]
    assert {by_vobject[uid].dtstart.value.astimezone(UTC) for uid in handovers} == {
        x.at for x in exchanges if low <= x.at < high
    }
    assert all(events[uid]["DTSTART"].params["TZID"] == "Pacific/Auckland" for uid in handovers)
    # 18:00 in Chicago is the next day's 11:00 or 13:00 in Auckland, as the two DSTs go.
    hours = {events[uid]["DTSTART"].dt.hour for uid in handovers}
    assert hours <= {11, 12, 13} and len(hours) >= 2
    plan = schedule.current_plan()
    for uid, event in events.items():
        if uid.startswith("custody-"):
            night = event["DTSTART"].dt
            who = parent_at(plan, local_midnight(zone, night + timedelta(days=1)))
            assert str(event["SUMMARY"]).startswith(f"With {plan.name_of(who)}")


def test_a_new_exchange_time_keeps_every_uid_and_raises_the_sequence_from_its_date(
    cast, in_force, soon
):
    client, url = subscribe(cast, cast.alex)
    _calendar, _v, before = read(client.get(url))
    change_day = soon + timedelta(days=35)
    change = plan_propose(
        access=cast.access(cast.sam),
        plan=plan_data(exchange_time="17:30", exchange_place="Library"),
        effective_from=change_day,
    )
    plan_accept(access=cast.access(cast.alex), version=change)
    change.refresh_from_db()

    _calendar, _v, after = read(client.get(url))

    assert before.keys() == after.keys()
    boundary = local_midnight(zone_or_utc("America/Chicago"), change_day)
    moved = [
        uid for uid in after if uid.startswith("exchange-") and after[uid]["DTSTART"].dt >= boundary
    ]
    kept = [
        uid
        for uid in after
        if uid.startswith("exchange-") and after[uid]["DTSTART"].dt < boundary - timedelta(days=7)
    ]
    assert moved and kept
    for uid in moved:
        # The rotation's hand-overs move to 17:30; the holiday keeps its own 18:00 start and end.
        shift = before[uid]["DTSTART"].dt - after[uid]["DTSTART"].dt
        assert shift == (
            timedelta(0) if after[uid]["DTSTART"].dt.minute == 0 else timedelta(minutes=30)
        )
        assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
        assert after[uid]["LAST-MODIFIED"].dt == change.accepted_at.replace(microsecond=0)
        assert str(after[uid]["LOCATION"]) == "Library"

    def content(event):
        return {name: event[name].to_ical() for name in event if name != "DTSTAMP"}

    for uid in kept:  # untouched: the same SEQUENCE, LAST-MODIFIED and everything else
        assert content(after[uid]) == content(before[uid])


def test_sam_chooses_reminders_on_the_feed_page_and_keeps_them_on_a_new_address(
    cast, in_force, django_assert_num_queries
):
    party(cast, 12)
    camp(cast, 30)
    client, url = subscribe(cast, cast.sam)
    sam = cast.client_for(cast.sam)
    page = f"/families/{cast.family.pk}/schedule/feed/"

    shown = sam.get(page)
    assert shown.status_code == 200
    assert 'name="exchange_reminder"' in shown.content.decode()

    wrong = sam.post(page + "reminders/", {"exchange_reminder": "17", "event_reminder": "60"})
    assert wrong.status_code == 400
    assert "exchange_reminder" in wrong.context["form"].errors
    assert "event_reminder" not in wrong.context["form"].errors
    assert FeedToken.objects.get(user=cast.sam, revoked_at=None).exchange_reminder is None

    done = sam.post(page + "reminders/", {"exchange_reminder": "120", "event_reminder": "1440"})
    assert done.status_code == 302

    _calendar, _v, events = read(client.get(url))
    for uid, event in events.items():
        triggers = [alarm["TRIGGER"].dt for alarm in event.walk("VALARM")]
        if uid.startswith("exchange-"):
            assert triggers == [timedelta(hours=-2)]
        elif uid.startswith("child-event-") and type(event["DTSTART"].dt) is date:
            assert triggers == [timedelta(hours=-6)]  # 18:00 the evening before
        elif uid.startswith("child-event-"):
            assert triggers == [timedelta(days=-1)]
        else:
            assert triggers == []

    renewed = feed_create(access=cast.access(cast.sam))
    assert (renewed.exchange_reminder, renewed.event_reminder) == (120, 1440)
    with django_assert_num_queries(6):
        # the session, the user, the user's session record, the member's seat, the live feed,
        # the header's unread notifications
        assert sam.get(page).status_code == 200


def test_reminders_without_a_feed_address_are_refused_in_words(cast, in_force):
    vic = cast.client_for(cast.vic)
    page = f"/families/{cast.family.pk}/schedule/feed/"
    refused = vic.post(page + "reminders/", {"exchange_reminder": "30", "event_reminder": ""})
    assert refused.status_code == 400
    assert "Make your feed address first." in refused.content.decode()
    assert not FeedToken.objects.filter(user=cast.vic).exists()


def test_a_calendar_polling_with_the_etag_gets_304_until_something_changes(cast, in_force):
    client, url = subscribe(cast, cast.alex)
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.head(url).status_code == 200

    party(cast, 9)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_feed_answers_in_the_same_queries_however_full_it_is(
    cast, in_force, django_assert_num_queries
):
    client, url = subscribe(cast, cast.alex)
    viewer_client, viewer_url = subscribe(cast, cast.vic)
    party(cast, 3)
    with django_assert_num_queries(7):
        # the feed by its token, the member's seat, the plan's versions, the parents with their
        # homes (the exchanges' LOCATION as this member may read it: safe mode), the events,
        # their children, their answers
        read(client.get(url))
    for days in range(5, 60, 5):
        party(cast, days, f"Swimming {days}")
    with django_assert_num_queries(7):
        read(client.get(url))
    with django_assert_num_queries(6):  # a viewer sees no answers
        read(viewer_client.get(viewer_url))


def test_a_wrong_or_revoked_feed_token_answers_404(cast, in_force):
    access = cast.access(cast.sam)
    token = feed_token_of(feed_create(access=access))
    client = cast.client_for(None)
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    wrong = token[:-1] + ("1" if token.endswith("0") else "0")
    assert client.get(f"/feeds/{wrong}.ics").status_code == 404

    feed_revoke(access=access)
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    # Making a new one revokes the old one too.
    first = feed_token_of(feed_create(access=access))
    second = feed_token_of(feed_create(access=access))
    assert client.get(f"/feeds/{first}.ics").status_code == 404
    assert client.get(f"/feeds/{second}.ics").status_code == 200

"""A member's iCalendar feed: custody blocks, exchanges and the children's events.

Window: from the first of the month three months back to the first of the month eighteen
months ahead, so the window's edges (and with them the UIDs of the blocks they cut) stay put
for a whole month.

SEQUENCE is derived, not stored: an event gets the number of plan acceptances (after the
first plan) whose date falls before the event ends. That number never goes down, and it goes
up exactly when an acceptance may have changed the event, since a version governs only the days
from its own date on. Subscribed apps therefore see a changed custody block or exchange as a
newer version of the same UID, and a feed request writes nothing. A child's event carries the
SEQUENCE the events app keeps for it (raised at each change), and STATUS:CANCELLED once
cancelled.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from coparent.core.schedule import EventVersion, build_calendar, event_uid, make_event
from coparent.core.schedule.expand import local_midnight
from coparent.core.schedule.model import Expansion
from coparent.core.text import reveal
from coparent.events.selectors import events_between
from coparent.families.selectors import FamilyAccess, child_name_for
from coparent.schedule.selectors import schedule_of

MONTHS_BACK = 3
MONTHS_AHEAD = 18


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def feed_window(zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(zone).date()
    return (
        local_midnight(zone, _add_months(today, -MONTHS_BACK)),
        local_midnight(zone, _add_months(today, MONTHS_AHEAD)),
    )


def _forced(uid: str, sequence: int, previous: dict[str, EventVersion]) -> None:
    """Make the engine write `sequence` for `uid`: a previous version one lower whose content
    differs (no fingerprint is empty) is raised by one by `next_version`."""
    if sequence > 0:
        previous[uid] = EventVersion("", sequence - 1)


def feed_text(access: FamilyAccess, *, now: datetime | None = None) -> str:
    """The feed's RFC 5545 text for the member in `access`. Queries: the accepted versions
    (one) and the events (three; two for a viewer)."""
    now = now or timezone.now()
    schedule = schedule_of(access)
    family = access.family
    namespace = str(family.pk)
    zone = schedule.zone(now)
    start, end = feed_window(zone, now)
    segments, exchanges = schedule.expand(start, end)
    previous: dict[str, EventVersion] = {}
    for segment in segments:
        uid = event_uid("custody", segment.start, namespace)
        _forced(uid, schedule.changes_before(segment.end), previous)
    for exchange in exchanges:
        uid = event_uid("exchange", exchange.at, namespace)
        # An exchange exactly at a version's first instant is that version's doing.
        _forced(uid, schedule.changes_before(exchange.at + timedelta(microseconds=1)), previous)
    plan = schedule.current_plan(now)
    expansion = Expansion(start, end, tuple(segments), tuple(exchanges))
    name = f"{family.name} · Coparent"
    if plan is not None:
        calendar, versions = build_calendar(
            plan, expansion, uid_namespace=namespace, stamp=now, previous=previous, name=name
        )
    else:
        from icalendar import Calendar

        calendar, versions = Calendar(), {}
        calendar.add("prodid", "-//Coparent//Schedule//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", name)
    for event in events_between(access, start, end):
        uid = event.ical_uid
        event_previous: dict[str, EventVersion] = {}
        _forced(uid, event.sequence, event_previous)
        children = ", ".join(child_name_for(access, child) for child in event.children.all())
        component = make_event(
            uid=uid,
            start=event.starts_at,
            end=event.ends_at,
            # A calendar app shows these as they come: any character that would reorder the
            # text is written as a visible mark, so the notes read as stored.
            summary=reveal(f"{event.title} ({children})" if children else event.title),
            description=reveal(event.notes),
            location=reveal(event.place),
            categories=("Child event",),
            stamp=now,
            previous=event_previous,
            versions=versions,
        )
        if event.is_cancelled:
            component.add("status", "CANCELLED")
        calendar.add_component(component)
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")

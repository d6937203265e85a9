"""A member's iCalendar feed: parenting time, exchanges and the children's events, in the
family's zone (docs/schedules.md, "The calendar feed"; the rules are in
coparent.core.schedule.ical).

Window: from the first of the month three months back to the first of the month eighteen
months ahead, in the family's zone; a stay that reaches into it is written whole (the schedule
is expanded two months further each side), so nothing in the feed changes when the window
moves but what enters or leaves it.

Nothing is written on a feed request. SEQUENCE and LAST-MODIFIED of parenting time and
exchanges come from the plan's acceptances (`Revisions`), a child's event carries the SEQUENCE
and `updated_at` the events app keeps for it, and every DTSTAMP is the moment the feed's
information last changed, so the same data gives the same bytes and the same ETag.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from icalendar import Calendar

from coparent.core.schedule import (
    FeedOptions,
    Plan,
    Revision,
    Revisions,
    add_custody,
    add_event,
    calendar_text,
    local_midnight,
    new_calendar,
    plan_from_dict,
)
from coparent.core.text import reveal
from coparent.core.zones import zone_or_utc
from coparent.events.models import ChildEvent
from coparent.events.selectors import events_between
from coparent.families.selectors import FamilyAccess, child_name_for
from coparent.schedule.models import FeedToken
from coparent.schedule.selectors import Schedule, schedule_of, shown_places

MONTHS_BACK = 3
MONTHS_AHEAD = 18
MARGIN = timedelta(days=62)  # how far past the window a stay that reaches into it is looked for


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def feed_window(today: date) -> tuple[date, date]:
    """[first, stop) of the local dates the feed covers on `today`."""
    return _add_months(today, -MONTHS_BACK), _add_months(today, MONTHS_AHEAD)


@dataclass(frozen=True)
class FeedDocument:
    """The feed's text and when its information last changed (the Last-Modified header)."""

    text: str
    modified: datetime

    @property
    def etag(self) -> str:
        """A strong ETag: the same bytes, the same tag."""
        return '"' + hashlib.sha256(self.text.encode()).hexdigest()[:32] + '"'


def revisions_of(schedule: Schedule, *, default: datetime) -> Revisions:
    """The plan's acceptances, each with the instant from which it governs."""
    acceptances = []
    for version in schedule.ever_accepted:
        if version.accepted_at is None:  # schedule_from keeps only the accepted ones
            continue
        start = local_midnight(plan_from_dict(version.plan).zone, version.effective_from)
        acceptances.append((version.accepted_at, start))
    # A calendar change (an approved swap or trip) changes the schedule from its start on, as
    # an acceptance governing from there would: later stays get a higher SEQUENCE, and the
    # feed's stamp (so its ETag) moves.
    acceptances.extend((change.created_at, change.start) for change in schedule.changes)
    return Revisions(acceptances, default=default)


def _minutes(value: int | None) -> timedelta | None:
    return timedelta(minutes=value) if value else None


def feed_document(
    access: FamilyAccess, *, feed: FeedToken | None = None, now: datetime | None = None
) -> FeedDocument:
    """The feed of the member in `access`, with the reminders `feed` asks for. Queries: the
    accepted versions (one), the parents with their homes when an exchange has a place (one:
    safe mode) and the events (three; two for a viewer)."""
    now = now or timezone.now()
    family = access.family
    zone = zone_or_utc(family.timezone)
    today = now.astimezone(zone).date()
    window = feed_window(today)
    low, high = local_midnight(zone, window[0]), local_midnight(zone, window[1])
    schedule = schedule_of(access)
    events = events_between(access, low, high)
    # The window last moved at the start of this month: part of what the feed last changed by.
    moved = local_midnight(zone, today.replace(day=1))
    revisions = revisions_of(schedule, default=moved)
    stamp = max([moved, revisions.latest, *(event.updated_at for event in events)])
    options = FeedOptions(
        zone=zone,
        namespace=str(family.pk),
        name=f"{family.name} · Coparent",
        stamp=stamp,
        exchange_reminder=_minutes(feed.exchange_reminder) if feed else None,
        event_reminder=_minutes(feed.event_reminder) if feed else None,
    )
    calendar = new_calendar(options)
    if not schedule.empty:
        first_plan = schedule.pieces[0].plan

        def plan_at(moment: datetime) -> Plan:
            return schedule.plan_on(moment) or first_plan

        segments, exchanges = schedule.expand(low - MARGIN, high + MARGIN)
        # LOCATION and SUMMARY say a parent's home as this member may read it (safe mode).
        exchanges = shown_places(access, exchanges)
        add_custody(
            calendar,
            segments,
            exchanges,
            plan_at=plan_at,
            revision_at=revisions.at,
            options=options,
            window=window,
        )
        for marker in schedule.markers:
            if marker.end <= low or marker.start >= high:
                continue
            # A labelled stretch with custody as planned (a trip): an all-day event over its
            # local days, shown as free time.
            add_event(
                calendar,
                uid=f"change-{marker.id}@coparent",
                start=marker.start.astimezone(zone).date(),
                end=(marker.end - timedelta(microseconds=1)).astimezone(zone).date()
                + timedelta(days=1),
                summary=reveal(marker.label),
                categories=("Calendar note",),
                transparent=True,
                options=options,
                revision=Revision(0, marker.created_at),
            )
    for event in events:
        _add_child_event(calendar, access, event, options)
    return FeedDocument(calendar_text(calendar, window), stamp)


def _add_child_event(
    calendar: Calendar, access: FamilyAccess, event: ChildEvent, options: FeedOptions
) -> None:
    children = ", ".join(child_name_for(access, child) for child in event.children.all())
    start: date | datetime = event.starts_at
    end: date | datetime = event.ends_at
    if event.all_day and event.start_date is not None and event.end_date is not None:
        start, end = event.start_date, event.end_date + timedelta(days=1)  # DTEND exclusive
    add_event(
        calendar,
        uid=event.ical_uid,
        start=start,
        end=end,
        # An event keeps its own zone (a trip abroad): its TZID is that zone.
        zone=event.zone,
        # A calendar app shows these as they come: any character that would reorder the text
        # is written as a visible mark, so the notes read as stored.
        summary=reveal(f"{event.title} ({children})" if children else event.title),
        description=reveal(event.notes),
        location=reveal(event.place),
        categories=("Child event",),
        cancelled=event.is_cancelled,
        options=options,
        revision=Revision(event.sequence, event.updated_at),
        remind=options.event_reminder,
    )

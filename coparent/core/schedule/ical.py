"""iCalendar (RFC 5545) for an expansion: custody blocks and exchanges, with the `icalendar`
package.

Events are concrete (no RRULE): overrides and holidays cut the rotation anywhere, and plain
events are what every calendar app reads the same way.

- Stable UIDs: an event's UID comes from what it is (a custody block or an exchange), the
  instant it starts and a namespace (say, the family's id), so writing the same range again
  gives the same UIDs, and an app that subscribed updates events instead of duplicating them.
- SEQUENCE: pass the versions a previous write returned (``previous``); an event whose content
  changed gets the next SEQUENCE, an unchanged one keeps its own, a new one starts at 0. Keep
  ``Feed.versions`` for the next write.
- Times are UTC by default; ``local_times=True`` writes them in the plan's zone with the
  matching VTIMEZONE.

A custody block cut by the range keeps its UID only while the cut does not move, so a feed is
best written over a range with stable ends (say, from the first of a month).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from coparent.core.schedule.model import Exchange, Expansion, Plan, Segment

PRODID = "-//Coparent//Schedule//EN"
UID_DOMAIN = "coparent"


@dataclass(frozen=True, slots=True)
class EventVersion:
    """What a written event was: a digest of its content and its SEQUENCE."""

    fingerprint: str
    sequence: int


@dataclass(frozen=True, slots=True)
class Feed:
    """The calendar's text, and each event's version (UID -> version) to keep for next time."""

    text: str
    versions: dict[str, EventVersion]


def next_version(
    uid: str, fingerprint: str, previous: Mapping[str, EventVersion] | None
) -> EventVersion:
    """The version to write for an event: SEQUENCE raised by one when its content changed."""
    before = (previous or {}).get(uid)
    if before is None:
        return EventVersion(fingerprint, 0)
    if before.fingerprint == fingerprint:
        return before
    return EventVersion(fingerprint, before.sequence + 1)


def event_uid(kind: str, start: datetime, namespace: str) -> str:
    """A UID that depends only on the kind of event, its start and the namespace."""
    digest = hashlib.sha256(namespace.encode()).hexdigest()[:16]
    return f"{kind}-{start.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest}@{UID_DOMAIN}"


def make_event(
    *,
    uid: str,
    start: datetime,
    end: datetime | None,
    summary: str,
    description: str = "",
    location: str = "",
    categories: tuple[str, ...] = (),
    transparent: bool = False,
    stamp: datetime,
    zone: ZoneInfo | None = None,
    previous: Mapping[str, EventVersion] | None = None,
    versions: dict[str, EventVersion],
) -> Event:
    """One VEVENT with its SEQUENCE decided by ``previous``; its version goes in ``versions``.

    Open for events beyond custody (a child's events, say) so they share the UID and
    SEQUENCE rules. ``end`` None makes an event of no duration (RFC 5545 3.6.1). ``zone``
    writes local times with a TZID; without it times are UTC.
    """

    def when(moment: datetime) -> datetime:
        return moment.astimezone(zone) if zone is not None else moment.astimezone(UTC)

    fingerprint = hashlib.sha256(
        "\x1f".join(
            [
                start.astimezone(UTC).isoformat(),
                end.astimezone(UTC).isoformat() if end is not None else "",
                summary,
                description,
                location,
                ",".join(categories),
            ]
        ).encode()
    ).hexdigest()
    version = next_version(uid, fingerprint, previous)
    versions[uid] = version
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", when(start))
    if end is not None:
        event.add("dtend", when(end))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if categories:
        event.add("categories", list(categories))
    if transparent:
        event.add("transp", "TRANSPARENT")
    event.add("sequence", version.sequence)
    return event


def custody_summary(plan: Plan, segment: Segment) -> str:
    name = plan.name_of(segment.parent)
    if segment.source.kind == "rotation":
        return f"With {name}"
    return f"With {name} ({segment.source.label})"


def exchange_summary(plan: Plan, exchange: Exchange) -> str:
    return f"Exchange: {plan.name_of(exchange.from_parent)} → {plan.name_of(exchange.to_parent)}"


def build_calendar(
    plan: Plan,
    expansion: Expansion,
    *,
    uid_namespace: str,
    stamp: datetime,
    previous: Mapping[str, EventVersion] | None = None,
    name: str | None = None,
    local_times: bool = False,
    custody: bool = True,
    exchanges: bool = True,
) -> tuple[Calendar, dict[str, EventVersion]]:
    """The calendar object (more events may be added to it) and the versions written."""
    zone = plan.zone if local_times else None
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    versions: dict[str, EventVersion] = {}
    if custody:
        for segment in expansion.segments:
            calendar.add_component(
                make_event(
                    uid=event_uid("custody", segment.start, uid_namespace),
                    start=segment.start,
                    end=segment.end,
                    summary=custody_summary(plan, segment),
                    description=f"The children are with {plan.name_of(segment.parent)} "
                    f"({segment.source.label}).",
                    categories=("Custody",),
                    transparent=True,
                    stamp=stamp,
                    zone=zone,
                    previous=previous,
                    versions=versions,
                )
            )
    if exchanges:
        for exchange in expansion.exchanges:
            reason = "" if exchange.source.kind == "rotation" else f" ({exchange.source.label})"
            calendar.add_component(
                make_event(
                    uid=event_uid("exchange", exchange.at, uid_namespace),
                    start=exchange.at,
                    end=None,
                    summary=exchange_summary(plan, exchange),
                    description=f"{plan.name_of(exchange.to_parent)} takes over from "
                    f"{plan.name_of(exchange.from_parent)}{reason}.",
                    location=exchange.place,
                    categories=("Exchange",),
                    stamp=stamp,
                    zone=zone,
                    previous=previous,
                    versions=versions,
                )
            )
    if zone is not None:
        first = expansion.start.astimezone(zone).date()
        last = expansion.end.astimezone(zone).date()
        calendar.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1), last_date=last + timedelta(days=366)
        )
    return calendar, versions


def write_ics(
    plan: Plan,
    expansion: Expansion,
    *,
    uid_namespace: str,
    stamp: datetime,
    previous: Mapping[str, EventVersion] | None = None,
    name: str | None = None,
    local_times: bool = False,
) -> Feed:
    """RFC 5545 text with a custody block per segment and an event per exchange."""
    calendar, versions = build_calendar(
        plan,
        expansion,
        uid_namespace=uid_namespace,
        stamp=stamp,
        previous=previous,
        name=name,
        local_times=local_times,
    )
    return Feed(calendar.to_ical().decode("utf-8"), versions)

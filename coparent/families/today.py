"""The family's today, the first thing its home page answers: who has the children now and
until when, the next exchange, the children's events of today and of the coming week, and what
waits for the member (a proposal to answer, an event to answer, unread messages).

Families sit below the domain apps that know these things (docs/new-app.md, "Layers"), so each
of those apps registers a provider here from its AppConfig.ready(), as it registers its record
summaries and its "on member joined" hooks: `schedule` gives the custody and the proposals,
`events` the events and the answers they wait for, `messaging` the unread messages. Each
provider starts from the member's FamilyAccess and shows only what that member may see, and
says how many queries it makes; `family_today` puts the parts together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone

from coparent.core.schedule import local_midnight
from coparent.core.zones import zone_or_utc
from coparent.families.selectors import FamilyAccess

WEEK_DAYS = 7  # "this week": today and the six days after it


@dataclass(frozen=True)
class Custody:
    """Who has the children at `now` (`name`, None before any plan is in force) and until when
    (`until`, the next exchange, None if there is none in the weeks ahead), and that exchange:
    when, who hands over to whom, where."""

    name: str | None
    letter: str = ""
    until: datetime | None = None
    giver: str = ""
    taker: str = ""
    taker_letter: str = ""
    place: str = ""
    plan_url: str = ""  # where a parent proposes the first plan


@dataclass(frozen=True)
class Upcoming:
    """A child's event that overlaps today or the coming week."""

    title: str
    url: str
    children: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    all_day: bool
    start_date: date | None
    end_date: date | None
    cancelled: bool
    place: str = ""


@dataclass(frozen=True)
class Waiting:
    """Something that waits for the member, with the page where it is done."""

    text: str
    url: str
    kind: str  # "proposal", "rsvp", "messages": a class on the page, and for the tests


@dataclass
class TodayPart:
    """What one app adds to the family's today."""

    custody: Custody | None = None
    events: list[Upcoming] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)


class TodayProvider(Protocol):
    def __call__(self, *, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart: ...


_PROVIDERS: list[TodayProvider] = []


def on_today(provider: TodayProvider) -> TodayProvider:
    """Register `provider` (once, however often this is called with it)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def providers() -> list[Callable[..., TodayPart]]:
    """The providers in the order they were registered (for the selector and the tests)."""
    return list(_PROVIDERS)


@dataclass(frozen=True)
class Today:
    """The family's today as one member sees it (coparent.families.today): the custody now and
    the next exchange, the events of today and of the rest of the week, and what waits for the
    member. `zone` is the family's: "today" is its date there."""

    day: date
    zone: ZoneInfo
    custody: Custody | None
    events_today: list[Upcoming]
    events_week: list[Upcoming]
    waiting: list[Waiting]


def family_today(access: FamilyAccess, *, now: datetime | None = None) -> Today:
    """Every registered provider's part for `access`, in the family's zone, put together.
    Queries: those of the providers (schedule one, events three and one, messaging one)."""
    zone = zone_or_utc(access.family.timezone)
    now = now or timezone.now()
    day = now.astimezone(zone).date()
    custody: Custody | None = None
    events: list[Upcoming] = []
    waiting: list[Waiting] = []
    for provider in _PROVIDERS:
        part = provider(access=access, now=now, zone=zone)
        custody = custody or part.custody
        events.extend(part.events)
        waiting.extend(part.waiting)
    tomorrow = local_midnight(zone, day + timedelta(days=1))
    week_end = local_midnight(zone, day + timedelta(days=WEEK_DAYS))
    events.sort(key=lambda e: (e.starts_at, e.title))
    return Today(
        day=day,
        zone=zone,
        custody=custody,
        events_today=[e for e in events if e.starts_at < tomorrow],
        events_week=[e for e in events if tomorrow <= e.starts_at < week_end],
        waiting=waiting,
    )

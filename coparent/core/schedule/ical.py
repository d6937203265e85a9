"""iCalendar (RFC 5545) for subscribed calendars: parenting time, exchanges and the children's
events, written with the `icalendar` package. docs/schedules.md ("The calendar feed") says what
a subscriber sees; this module is the rules.

- **Parenting time by nights.** Segments of the same parent that touch are merged into one
  stretch; a stretch becomes an all-day event (``VALUE=DATE``, DTEND exclusive) over the nights
  it holds: the night of date D is whoever's has the children at 00:00 that begins D+1, as the
  month view and the time-share count them. A calendar app then shows one bar per stay, never
  two bars of one parent side by side, and the exact hand-over times are on the exchanges. A
  stretch that holds no night (a day visit) is a timed event instead, so no time is lost.
- **Exchanges** are short timed events (``EXCHANGE_MINUTES``) at the hand-over instant, with
  the place and who hands over to whom, optionally with a reminder (VALARM).
- **Times** are local with a TZID (the feed's zone, or an event's own zone) and the matching
  VTIMEZONE components over the feed's span.
- **UIDs** come from the plan's identity (a namespace, say the family's id) and the
  occurrence's identity, never from an instant: a stay or an exchange of the rotation is "run
  r of rotation cycle c" (counted from the plan's start), a holiday's is its name and year, an
  override's its local date, and an exchange is named after the stay it leads into. Moving the
  exchange time, the place, or trimming a stay at either end keeps the UID; two occurrences
  with the same identity (a stay split by an override) are numbered in time order.
- **SEQUENCE and LAST-MODIFIED** come from the plan's acceptances (``Revisions``): stateless,
  never lower for the same UID, higher once an acceptance may have changed the event.

Events are concrete (no RRULE): overrides and holidays cut the rotation anywhere, and plain
events are what every calendar app reads the same way.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Component, Event, vDuration

from coparent.core.schedule.expand import local_midnight
from coparent.core.schedule.model import Exchange, Letter, Plan, Segment, Source
from coparent.core.when import format_span

PRODID = "-//Coparent//Schedule//EN"
UID_DOMAIN = "coparent"
EXCHANGE_MINUTES = 15
"""How long an exchange shows in a calendar: long enough to see and tap, short enough not to
hide the rest of the day."""
REFRESH = timedelta(hours=1)
"""The refresh hint (RFC 7986 REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook)."""
ALL_DAY_REMINDER = timedelta(hours=6)
"""A reminder of an all-day event rings at 18:00 the evening before (6 hours before its
midnight), whatever lead the member chose for timed events: midnight alarms wake nobody
usefully."""
DAY = timedelta(days=1)


# --- revisions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Revision:
    """An event's SEQUENCE and LAST-MODIFIED."""

    sequence: int
    modified: datetime


class Revisions:
    """SEQUENCE and LAST-MODIFIED of schedule events, from the plan's acceptances alone.

    Each acceptance is (accepted at, the instant from which it governs). Acceptance i "reaches"
    an event ending at E when some acceptance at or after i governs from an instant at or
    before E: ``reach[i]`` is the earliest such start (a suffix minimum). An event's SEQUENCE
    is the number of acceptances after the first that reach it; LAST-MODIFIED is when the last
    of them was accepted.

    Why it never goes down for a UID: a new acceptance governing from X leaves the schedule
    before X alone, so an event that now ends before X ended there before and every reach
    stays on the same side of its end; an event that ends at or after X is reached by every
    acceptance (all reaches are now at or before X), so its SEQUENCE becomes the highest.
    """

    def __init__(self, acceptances: Iterable[tuple[datetime, datetime]], *, default: datetime):
        ordered = sorted(acceptances)
        self._accepted = [accepted for accepted, _start in ordered]
        reach: list[datetime] = []
        for _accepted, start in reversed(ordered):
            reach.append(min(start, reach[-1]) if reach else start)
        reach.reverse()
        self._reach = reach[1:]  # the first plan's own acceptance changes nothing
        self._default = default

    def at(self, end: datetime) -> Revision:
        """The revision of a schedule event that ends at ``end``."""
        if not self._accepted:
            return Revision(0, self._default)
        sequence = bisect_right(self._reach, end)
        return Revision(sequence, self._accepted[sequence])

    @property
    def latest(self) -> datetime:
        """When the schedule last changed (``default`` before any acceptance)."""
        return max(self._accepted, default=self._default)


# --- parenting time as blocks ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """A stay with one parent as a calendar shows it: segments of that parent merged.

    ``nights`` is [first, stop) of the local dates whose nights it holds, or None for a stay
    without a night (shown as a timed event). ``anchor`` is the instant that names the
    occurrence (the first midnight inside it, or its start) and ``anchor_source`` the layer in
    force then."""

    parent: Letter
    start: datetime
    end: datetime
    nights: tuple[date, date] | None
    sources: tuple[Source, ...]
    anchor: datetime
    anchor_source: Source


def nights_between(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[date, date]:
    """[first, stop) of the dates D whose night (the midnight beginning D+1) lies in
    [start, end); first >= stop when there is none."""
    day = start.astimezone(zone).date()
    first = day - DAY if local_midnight(zone, day) == start else day
    last = end.astimezone(zone).date()
    stop = last if local_midnight(zone, last) < end else last - DAY
    return first, stop


def custody_blocks(
    segments: Sequence[Segment], zone: ZoneInfo, window: tuple[date, date] | None = None
) -> list[Block]:
    """Segments (in order) as blocks, in order of their start.

    Touching segments of one parent make one stay. A stay with nights is an all-day block; two
    such blocks of the same parent whose nights follow each other are one block, even when a
    day visit of the other parent comes between them (the visit is its own timed block), so
    nights are never shown as two bars of one parent side by side. With ``window`` ([first,
    stop) local dates), only the blocks that reach into it, kept whole, so a block never
    changes because the window moved."""
    groups: list[list[Segment]] = []
    for segment in segments:
        last = groups[-1][-1] if groups else None
        if last is not None and last.parent == segment.parent and last.end == segment.start:
            groups[-1].append(segment)
        else:
            groups.append([segment])
    blocks: list[Block] = []
    latest: int | None = None  # the index in `blocks` of the last block with nights
    for group in groups:
        start, end = group[0].start, group[-1].end
        first, stop = nights_between(zone, start, end)
        nights = (first, stop) if first < stop else None
        anchor = local_midnight(zone, first + DAY) if nights else start
        sources = tuple(dict.fromkeys(segment.source for segment in group))
        held = next(s.source for s in group if s.start <= anchor < s.end)
        if nights is not None and latest is not None:
            before = blocks[latest]
            if before.parent == group[0].parent and before.nights and before.nights[1] == first:
                blocks[latest] = Block(
                    before.parent,
                    before.start,
                    end,
                    (before.nights[0], stop),
                    tuple(dict.fromkeys(before.sources + sources)),
                    before.anchor,
                    before.anchor_source,
                )
                continue
        blocks.append(Block(group[0].parent, start, end, nights, sources, anchor, held))
        if nights is not None:
            latest = len(blocks) - 1
    if window is None:
        return blocks
    return [block for block in blocks if reaches(block, zone, window)]


def reaches(block: Block, zone: ZoneInfo, window: tuple[date, date]) -> bool:
    """Whether ``block`` holds a night of ``window`` ([first, stop) local dates), or, for a
    visit, some of its time."""
    if block.nights is not None:
        return block.nights[1] > window[0] and block.nights[0] < window[1]
    return block.end > local_midnight(zone, window[0]) and block.start < local_midnight(
        zone, window[1]
    )


# --- identities ---------------------------------------------------------------------------


def occurrence_key(plan: Plan, moment: datetime, source: Source) -> str:
    """What an occurrence is, independent of its times: the rotation's run and cycle, a
    holiday-like rule's name and year, an override's local date (it has no other name)."""
    local = moment.astimezone(plan.zone)
    if source.kind == "rotation":
        day = local.date() if local.time() >= plan.exchange_time else local.date() - DAY
        cycle, position = divmod((day - plan.start).days, len(plan.rotation))
        while position > 0 and plan.rotation[position - 1] == plan.rotation[position]:
            position -= 1
        return f"rotation {cycle}.{position}"
    if source.kind == "override":
        return f"override {local.date().isoformat()}"
    return f"{source.kind} {source.name} {local.year}"


def occurrence_uid(namespace: str, kind: str, parent: str, key: str, number: int = 1) -> str:
    """The UID of an occurrence: opaque, the same for the same namespace, kind, parent, key and
    number (the n-th occurrence with that identity, in time order)."""
    digest = hashlib.sha256(
        "\x1f".join([namespace, kind, parent, key, str(number)]).encode()
    ).hexdigest()[:32]
    return f"{kind}-{digest}@{UID_DOMAIN}"


class _Numbering:
    """Numbers occurrences that share an identity, in the order they are met (time order)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.seen: dict[tuple[str, str, str], int] = {}

    def uid(self, kind: str, parent: str, key: str) -> str:
        number = self.seen.get((kind, parent, key), 0) + 1
        self.seen[(kind, parent, key)] = number
        return occurrence_uid(self.namespace, kind, parent, key, number)


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How a feed is written. ``stamp`` is every event's DTSTAMP: when the information last
    changed, so that the same data gives the same bytes (and the same ETag)."""

    zone: ZoneInfo
    namespace: str
    name: str
    stamp: datetime
    locale: str = "en"
    exchange_minutes: int = EXCHANGE_MINUTES
    exchange_reminder: timedelta | None = None
    event_reminder: timedelta | None = None
    refresh: timedelta = REFRESH


def new_calendar(options: FeedOptions) -> Calendar:
    """An empty calendar with its name, default zone and refresh hint."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", options.name)  # RFC 7986
    calendar.add("x-wr-calname", options.name)  # what Apple, Google and Outlook read
    calendar.add("x-wr-timezone", options.zone.key)
    calendar.add("refresh-interval", options.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(options.refresh))
    return calendar


def reminder(description: str, before: timedelta) -> Alarm:
    """A VALARM that shows ``description`` ``before`` the event starts."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", -before)
    return alarm


def add_event(
    calendar: Calendar,
    *,
    uid: str,
    start: datetime | date,
    end: datetime | date,
    summary: str,
    options: FeedOptions,
    revision: Revision,
    zone: ZoneInfo | None = None,
    description: str = "",
    location: str = "",
    categories: tuple[str, ...] = (),
    transparent: bool = False,
    cancelled: bool = False,
    remind: timedelta | None = None,
) -> Event:
    """One VEVENT. Dates (not datetimes) make an all-day event, DTEND exclusive; datetimes are
    written in ``zone`` (the feed's by default) with its TZID. ``remind`` adds a VALARM that
    long before a timed event, or at 18:00 the evening before an all-day one."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", options.stamp.astimezone(UTC))
    event.add("last-modified", revision.modified.astimezone(UTC))
    event.add("sequence", revision.sequence)
    local = zone or options.zone
    timed = isinstance(start, datetime)
    if timed != isinstance(end, datetime):
        raise TypeError("start and end must be both dates or both datetimes")
    if isinstance(start, datetime) and isinstance(end, datetime):
        event.add("dtstart", start.astimezone(local))
        event.add("dtend", end.astimezone(local))
    else:
        event.add("dtstart", start)
        event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if categories:
        event.add("categories", list(categories))
    if transparent:
        event.add("transp", "TRANSPARENT")
    if cancelled:
        event.add("status", "CANCELLED")
    elif remind is not None:
        lead = remind if timed else ALL_DAY_REMINDER
        event.add_component(reminder(summary, lead))
    calendar.add_component(event)
    return event


def block_reasons(block: Block) -> list[str]:
    """Why a stay is not the plain rotation: its holidays' names, overrides' notes."""
    return [source.label for source in block.sources if source.kind != "rotation"]


def block_summary(name: str, block: Block) -> str:
    reasons = block_reasons(block)
    return f"With {name}" + (f" ({', '.join(reasons)})" if reasons else "")


def exchange_summary(plan: Plan, exchange: Exchange) -> str:
    return f"Exchange: {plan.name_of(exchange.from_parent)} → {plan.name_of(exchange.to_parent)}"


def add_custody(
    calendar: Calendar,
    segments: Sequence[Segment],
    exchanges: Sequence[Exchange],
    *,
    plan_at: Callable[[datetime], Plan],
    revision_at: Callable[[datetime], Revision],
    options: FeedOptions,
    window: tuple[date, date],
) -> None:
    """Parenting time and exchanges. ``segments`` should reach beyond ``window`` (say by two
    months each side) so that a stay cut by the window is still shown whole; exchanges outside
    the window are left out. ``plan_at`` gives the plan in force at an instant (names, rotation),
    ``revision_at`` the revision of an event ending at an instant (``Revisions.at``)."""
    numbering = _Numbering(options.namespace)
    # Every block and exchange of the expansion is numbered, shown or not, so that a UID does
    # not depend on where the window falls.
    blocks = custody_blocks(segments, options.zone)
    keys: list[str] = []
    for block in blocks:
        plan = plan_at(block.anchor)
        keys.append(occurrence_key(plan, block.anchor, block.anchor_source))
        all_day = block.nights is not None
        uid = numbering.uid("custody" if all_day else "visit", block.parent, keys[-1])
        if not reaches(block, options.zone, window):
            continue
        name = plan.name_of(block.parent)
        reasons = block_reasons(block)
        span = format_span(block.start, block.end, options.zone, options.locale)
        add_event(
            calendar,
            uid=uid,
            start=block.nights[0] if block.nights else block.start,
            end=block.nights[1] if block.nights else block.end,
            summary=block_summary(name, block),
            description=f"The children are with {name}: {span}"
            + (f" ({', '.join(reasons)})." if reasons else "."),
            categories=("Parenting time",),
            transparent=True,
            options=options,
            revision=revision_at(block.end),
        )
    low, high = local_midnight(options.zone, window[0]), local_midnight(options.zone, window[1])
    length = timedelta(minutes=options.exchange_minutes)
    starts = [block.start for block in blocks]
    for exchange in exchanges:
        plan = plan_at(exchange.at)
        # An exchange is named after the stay it leads into (a hand-over that moves by half
        # an hour, or now comes from the rotation rather than the holiday, is the same one).
        index = bisect_right(starts, exchange.at) - 1
        while index >= 0 and not (
            blocks[index].parent == exchange.to_parent
            and blocks[index].start <= exchange.at < blocks[index].end
        ):
            index -= 1
        key = keys[index] if index >= 0 else occurrence_key(plan, exchange.at, exchange.source)
        uid = numbering.uid("exchange", exchange.to_parent, key)
        if not low <= exchange.at < high:
            continue
        giver, taker = plan.name_of(exchange.from_parent), plan.name_of(exchange.to_parent)
        reason = "" if exchange.source.kind == "rotation" else f" ({exchange.source.label})"
        where = f" at {exchange.place}" if exchange.place else ""
        add_event(
            calendar,
            uid=uid,
            start=exchange.at,
            end=exchange.at + length,
            summary=exchange_summary(plan, exchange),
            description=f"{giver} hands the children over to {taker}{where}{reason}.",
            location=exchange.place,
            categories=("Exchange",),
            options=options,
            revision=revision_at(exchange.at),
            remind=options.exchange_reminder,
        )


def _one_rdate_a_line(observance: Component) -> None:
    """Write each transition of a VTIMEZONE observance as its own RDATE line. RFC 5545 allows
    a comma-separated list too, but some readers keep only its first date (vobject does, and
    then puts every later winter in summer time); one date a line reads the same everywhere."""
    found = observance.pop("RDATE", None)
    if found is None:
        return
    for value in found if isinstance(found, list) else [found]:
        for moment in value.dts:
            observance.add("rdate", moment.dt)


def calendar_text(calendar: Calendar, window: tuple[date, date]) -> str:
    """The calendar's RFC 5545 text (CRLF line ends), with a VTIMEZONE for every zone its
    events name, covering a year either side of ``window`` (events reaching out of it
    included)."""
    calendar.add_missing_timezones(
        first_date=window[0] - timedelta(days=366), last_date=window[1] + timedelta(days=366)
    )
    for zone in calendar.walk("VTIMEZONE"):
        for observance in zone.subcomponents:
            _one_rdate_a_line(observance)
    text: bytes = calendar.to_ical()
    return text.decode("utf-8")


def write_ics(
    plan: Plan,
    segments: Sequence[Segment],
    exchanges: Sequence[Exchange],
    *,
    window: tuple[date, date],
    namespace: str,
    name: str,
    stamp: datetime,
) -> str:
    """A one-plan calendar (``coparent plan ics``): the plan's zone, every event at SEQUENCE 0."""
    options = FeedOptions(zone=plan.zone, namespace=namespace, name=name, stamp=stamp)
    calendar = new_calendar(options)
    add_custody(
        calendar,
        segments,
        exchanges,
        plan_at=lambda _moment: plan,
        revision_at=lambda _end: Revision(0, stamp),
        options=options,
        window=window,
    )
    return calendar_text(calendar, window)

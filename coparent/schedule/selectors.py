"""Reads of the parenting plan: versions, the effective schedule of any range (stitched from
the accepted versions), the calendar with the children's events, the time-share, and feeds.

Every read starts from a `FamilyAccess` (coparent.families.selectors.get_family_access), so
another family's plan is a 404 exactly like a missing one. Everyone in the family reads the
calendar (viewers included: the calendar is their role); proposals, the editor and the
time-share are for parents and consented professionals (`require_shared`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.places import home_letter
from coparent.core.schedule import (
    Exchange,
    Letter,
    Override,
    Plan,
    Segment,
    TimeShare,
    Window,
    expand,
    expand_dates,
    local_midnight,
    plan_from_dict,
    plan_timeshare,
    plan_to_dict,
    timeshare,
)
from coparent.core.schedule.diff import PlanChanges, compare, nights
from coparent.core.zones import zone_or_utc
from coparent.events.models import ChildEvent
from coparent.events.selectors import events_between
from coparent.families.models import Membership
from coparent.families.selectors import FamilyAccess, HomePlaces, get_owned
from coparent.infra.errors import DomainError
from coparent.infra.secrets_links import hash_link_token
from coparent.schedule.models import FeedToken, PlanStatus, PlanVersion, ScheduleChange
from coparent.schedule.plans import check_plan

COUNTED = (PlanStatus.ACCEPTED, PlanStatus.SUPERSEDED)
MAX_WINDOW_DAYS = 3 * 366  # the longest calendar or time-share one request may ask for


class _JSONRows(Aggregate):
    """The rows of a group as one JSON array: SQLite's json_group_array, PostgreSQL's
    jsonb_agg (jsonb, which the driver hands back as text for JSONField to read)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


def with_changes(versions: QuerySet[PlanVersion]) -> QuerySet[PlanVersion]:
    """`versions` each carrying the family's calendar changes (`ScheduleChange`) as JSON, read
    in the same query: every page that shows the schedule already reads the versions, and the
    changes matter only beside a plan, so they ride along instead of costing a query."""
    rows = (
        ScheduleChange.objects.filter(family_id=OuterRef("family_id"))
        .order_by()
        .values("family_id")
        .annotate(
            rows=_JSONRows(
                JSONObject(
                    id="id",
                    start="start",
                    end="end",
                    parent="parent",
                    label="label",
                    created_at="created_at",
                )
            )
        )
        .values("rows")
    )
    return versions.annotate(schedule_changes=Subquery(rows, output_field=JSONField()))


def plan_versions(access: FamilyAccess) -> list[PlanVersion]:
    """Every version, newest first, with who proposed and answered, and the family's calendar
    changes (one query)."""
    return list(
        with_changes(
            PlanVersion.objects.filter(family=access.family)
            .select_related("proposed_by", "answered_by")
            .order_by("-number")
        )
    )


def get_version(access: FamilyAccess, version_id: object) -> PlanVersion:
    """One version of the family in `access`; another family's is a 404 like a missing one."""
    return get_owned(
        PlanVersion.objects.select_related("proposed_by", "answered_by"), access, version_id
    )


def pending_proposal(versions: Sequence[PlanVersion]) -> PlanVersion | None:
    return next((v for v in versions if v.status == PlanStatus.PROPOSED), None)


@dataclass(frozen=True)
class Proposals:
    """Every version, the proposal waiting for an answer, and what the member may do with it."""

    versions: list[PlanVersion]
    pending: PlanVersion | None
    may_answer: bool  # a parent other than the one who proposed it
    may_withdraw: bool  # the one who proposed it


def proposals(access: FamilyAccess) -> Proposals:
    """The proposals page (one query)."""
    versions = plan_versions(access)
    pending = pending_proposal(versions)
    me = access.membership.user_id
    return Proposals(
        versions=versions,
        pending=pending,
        may_answer=pending is not None and access.is_parent and pending.proposed_by_id != me,
        may_withdraw=pending is not None and pending.proposed_by_id == me,
    )


def plan_in_force_data(
    access: FamilyAccess, *, schedule: Schedule | None = None
) -> dict[str, Any] | None:
    """The plan in force now (else the first one to come) in the engine's shape, for the
    editor to start from; None before any plan was accepted."""
    plan = (schedule or schedule_of(access)).current_plan()
    return plan_to_dict(plan, json_safe=True) if plan is not None else None


@dataclass(frozen=True)
class Piece:
    """An accepted version and the instants it governs: [start, end), end None = open. A plan
    being previewed has no version yet."""

    version: PlanVersion | None
    plan: Plan
    start: datetime
    end: datetime | None
    # The version's plan before the calendar changes (swaps, trips) were laid over it: what the
    # parents had agreed before any request changed it. None: the same as `plan`.
    base: Plan | None = None

    def plan_as(self, *, as_planned: bool) -> Plan:
        return (self.base or self.plan) if as_planned else self.plan


@dataclass(frozen=True)
class Change:
    """A calendar change (`ScheduleChange`) as the schedule applies it: the children with
    `parent` over [start, end), or, without a parent, a marker labelled on those days."""

    id: str
    start: datetime
    end: datetime
    parent: Letter | None
    label: str
    created_at: datetime


def _instant(text: str) -> datetime:
    # SQLite keeps UTC without an offset ("2027-03-05 18:00:00"); PostgreSQL's JSON has one.
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def changes_from(data: object) -> list[Change]:
    """The changes `with_changes` read, oldest first (a later one wins where two overlap)."""
    rows = data if isinstance(data, list) else []
    changes = [
        Change(
            id=str(row["id"]),
            start=_instant(row["start"]),
            end=_instant(row["end"]),
            parent="A" if row["parent"] == "A" else "B" if row["parent"] == "B" else None,
            label=str(row["label"]),
            created_at=_instant(row["created_at"]),
        )
        for row in rows
        if isinstance(row, dict)
    ]
    return sorted(changes, key=lambda c: (c.created_at, c.id))


def with_overrides(plan: Plan, changes: Sequence[Change]) -> Plan:
    """`plan` with the custody changes after its own overrides (exact instants, so they mean
    the same whatever the zone of the plan in force)."""
    extra = tuple(
        Override(start=c.start, end=c.end, parent=c.parent, note=c.label)
        for c in changes
        if c.parent is not None
    )
    return dataclasses.replace(plan, overrides=plan.overrides + extra) if extra else plan


@dataclass
class Schedule:
    """The family's effective schedule: the accepted versions in date order, and every version
    that was ever accepted (for the feed's SEQUENCE and LAST-MODIFIED, coparent.schedule.feed),
    and the calendar changes (swaps, trips) its plans already carry as overrides."""

    pieces: list[Piece]
    ever_accepted: list[PlanVersion] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def markers(self) -> list[Change]:
        """The changes that only label days (a trip that keeps custody as planned)."""
        return [c for c in self.changes if c.parent is None]

    @property
    def empty(self) -> bool:
        return not self.pieces

    def plan_on(self, moment: datetime) -> Plan | None:
        found = None
        for piece in self.pieces:
            if piece.start <= moment:
                found = piece.plan
        return found

    def current_plan(self, moment: datetime | None = None) -> Plan | None:
        """The plan in force at `moment` (now), or the first one when none is yet."""
        if not self.pieces:
            return None
        return self.plan_on(moment or timezone.now()) or self.pieces[0].plan

    def zone(self, moment: datetime | None = None) -> ZoneInfo:
        plan = self.current_plan(moment)
        return plan.zone if plan else ZoneInfo("UTC")

    def expand(
        self, start: datetime, end: datetime, *, as_planned: bool = False
    ) -> tuple[list[Segment], list[Exchange]]:
        """Segments and exchanges over [start, end), each version over its own days only.
        Before the first version there is no schedule (no segment). `as_planned`: without the
        calendar changes, as the versions alone have it (what a swap or a trip changed)."""
        segments: list[Segment] = []
        exchanges: list[Exchange] = []
        for index, piece in enumerate(self.pieces):
            low = max(start, piece.start)
            high = end if piece.end is None else min(end, piece.end)
            if low >= high:
                continue
            plan = piece.plan_as(as_planned=as_planned)
            expansion = expand(plan, low, high)
            found = list(expansion.exchanges)
            if index > 0 and low == piece.start:
                # A version boundary: the hand-over there is decided by the two versions.
                found = [x for x in found if x.at != low]
                before = self.pieces[index - 1].plan_as(as_planned=as_planned)
                if segments and segments[-1].end == low:
                    previous = segments[-1].parent
                else:
                    earlier = expand(before, low - timedelta(seconds=1), low)
                    previous = earlier.segments[0].parent
                first = expansion.segments[0]
                if first.parent != previous:
                    found.insert(
                        0,
                        Exchange(low, previous, first.parent, first.source, plan.exchange_place),
                    )
            segments.extend(expansion.segments)
            exchanges.extend(found)
        return segments, exchanges


def schedule_of(access: FamilyAccess) -> Schedule:
    """The family's effective schedule with its calendar changes (one query, whatever the
    number of versions and changes)."""
    return schedule_from(
        with_changes(
            PlanVersion.objects.filter(family=access.family, status__in=COUNTED).order_by(
                "effective_from", "number"
            )
        )
    )


def schedule_from(versions: Iterable[PlanVersion]) -> Schedule:
    """The effective schedule made of `versions` (any order; only the accepted and superseded
    ones count), without a query of its own: for a page that reads every version anyway. The
    calendar changes come with the versions when they were read `with_changes`."""
    versions = list(versions)
    changes = changes_from(next((getattr(v, "schedule_changes", None) for v in versions), None))
    versions = sorted(
        (v for v in versions if v.status in COUNTED), key=lambda v: (v.effective_from, v.number)
    )
    ever = [v for v in versions if v.accepted_at is not None]
    accepted = [v for v in versions if v.status == PlanStatus.ACCEPTED]
    pieces: list[Piece] = []
    for version in accepted:
        base = plan_from_dict(version.plan)
        plan = with_overrides(base, changes)
        start = local_midnight(plan.zone, version.effective_from)
        if pieces:
            last = pieces[-1]
            pieces[-1] = dataclasses.replace(last, end=start)
        pieces.append(Piece(version, plan, start, None, base=base))
    return Schedule(pieces, ever, changes)


# --- the calendar ------------------------------------------------------------------------------


@dataclass
class DaySlice:
    """Part of a day with one parent: where it starts and ends within the day (minutes from
    00:00) decides its share of the day's bar."""

    parent: str
    label: str
    source_kind: str
    start_minute: int
    end_minute: int
    name: str = ""  # the parent's name, as the plan of the moment gives it

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute


@dataclass(frozen=True)
class Handover:
    """An exchange as a page says it: when, who hands the children over to whom, and where."""

    at: datetime
    giver: str
    giver_letter: str
    taker: str
    taker_letter: str
    place: str


@dataclass
class Day:
    date: date
    in_month: bool
    slices: list[DaySlice] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    events: list[ChildEvent] = field(default_factory=list)
    is_today: bool = False
    handovers: list[Handover] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)  # labelled days (a trip), custody unchanged

    @property
    def names(self) -> list[str]:
        """Who has the children during the day, in order, each once in a row."""
        names: list[str] = []
        for piece in self.slices:
            if not names or names[-1] != piece.name:
                names.append(piece.name)
        return names

    @property
    def overnight(self) -> str:
        """The parent of the night that ends the day (the last slice), "" without a plan."""
        return self.slices[-1].parent if self.slices else ""


@dataclass
class Calendar:
    zone: ZoneInfo
    plan: Plan | None
    first: date
    stop: date
    segments: list[Segment]
    exchanges: list[Exchange]
    events: list[ChildEvent]
    days: list[Day]
    schedule: Schedule

    def name_of(self, letter: Letter) -> str:
        return self.plan.name_of(letter) if self.plan else letter

    def plan_at(self, moment: datetime) -> Plan | None:
        """The plan whose names a segment or an exchange at `moment` goes by."""
        return self.schedule.plan_on(moment) or self.plan

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]


def shown_places(
    access: FamilyAccess, exchanges: Iterable[Exchange], places: HomePlaces | None = None
) -> list[Exchange]:
    """`exchanges` with each place as the member of `access` may read it: a parent's home
    without its address while their safe mode is on (docs/safety.md). One query, only when an
    exchange has a place."""
    places = places or HomePlaces(access)
    return [dataclasses.replace(x, place=places.show(x.place)) if x.place else x for x in exchanges]


def calendar_between(
    access: FamilyAccess,
    first: date,
    stop: date,
    *,
    schedule: Schedule | None = None,
    month: tuple[int, int] | None = None,
    today: date | None = None,
    by_day: bool = True,
    zone: ZoneInfo | None = None,
) -> Calendar:
    """The local dates [first, stop) in `zone` (the pages pass the family's; the plan's by
    default, as the API documents): custody slices per day, exchanges, holiday-like blocks and
    the children's events (`by_day=False` leaves the days out, for a caller that lists the
    segments, exchanges and events as they are). Queries: the accepted versions (one, unless
    `schedule` is given), the parents with their homes when an exchange has a place (one: safe
    mode) and the events (three; two for a viewer) — however many there are."""
    schedule = schedule or schedule_of(access)
    zone = zone or schedule.zone()
    plan = schedule.current_plan()
    start, end = local_midnight(zone, first), local_midnight(zone, stop)
    segments, exchanges = schedule.expand(start, end)
    exchanges = shown_places(access, exchanges)
    events = events_between(access, start, end)
    if not by_day:
        return Calendar(zone, plan, first, stop, segments, exchanges, events, [], schedule)
    today = today or timezone.now().astimezone(zone).date()
    days: list[Day] = []
    index: dict[date, Day] = {}
    day = first
    while day < stop:
        item = Day(
            date=day,
            in_month=month is None or (day.year, day.month) == month,
            is_today=day == today,
        )
        days.append(item)
        index[day] = item
        day += timedelta(days=1)

    def name_at(moment: datetime, letter: Letter) -> str:
        plan_then = schedule.plan_on(moment) or plan
        return plan_then.name_of(letter) if plan_then else letter

    for segment in segments:
        label = "" if segment.source.kind == "rotation" else segment.source.label
        name = name_at(segment.start, segment.parent)
        day = segment.start.astimezone(zone).date()
        while day < stop and local_midnight(zone, day) < segment.end:
            shown = index.get(day)
            if shown is not None:
                day_start = local_midnight(zone, day)
                day_end = local_midnight(zone, day + timedelta(days=1))
                low, high = max(segment.start, day_start), min(segment.end, day_end)
                total = (day_end - day_start).total_seconds()
                shown.slices.append(
                    DaySlice(
                        parent=segment.parent,
                        label=label,
                        source_kind=segment.source.kind,
                        start_minute=round((low - day_start).total_seconds() * 1440 / total),
                        end_minute=round((high - day_start).total_seconds() * 1440 / total),
                        name=name,
                    )
                )
                if label and label not in shown.blocks:
                    shown.blocks.append(label)
            day += timedelta(days=1)
    for exchange in exchanges:
        at_day = index.get(exchange.at.astimezone(zone).date())
        if at_day is not None:
            at_day.exchanges.append(exchange)
            at_day.handovers.append(
                Handover(
                    at=exchange.at,
                    giver=name_at(exchange.at - timedelta(seconds=1), exchange.from_parent),
                    giver_letter=exchange.from_parent,
                    taker=name_at(exchange.at, exchange.to_parent),
                    taker_letter=exchange.to_parent,
                    place=exchange.place,
                )
            )
    for marker in schedule.markers:
        day = max(marker.start.astimezone(zone).date(), first)
        last = (marker.end - timedelta(microseconds=1)).astimezone(zone).date()
        while day <= last and day < stop:
            index[day].markers.append(marker.label)
            if marker.label not in index[day].blocks:
                index[day].blocks.append(marker.label)
            day += timedelta(days=1)
    for event in events:
        day = max(event.starts_at.astimezone(zone).date(), first)
        last = (event.ends_at - timedelta(microseconds=1)).astimezone(zone).date()
        while day <= last and day < stop:
            index[day].events.append(event)
            day += timedelta(days=1)
    return Calendar(zone, plan, first, stop, segments, exchanges, events, days, schedule)


@dataclass(frozen=True)
class Stay:
    """A stretch of one day with one parent: from `start` to `end` (instants), for the day
    page's "with Alex until 5:30 PM, then with Sam"."""

    parent: str
    name: str
    start: datetime
    end: datetime
    starts_day: bool  # began before the day: "until"
    ends_day: bool  # goes on past the day: "from … on"
    label: str


@dataclass(frozen=True)
class DayDetail:
    """One day of the calendar, for the day page: who has the children when, the exchanges,
    holidays and events of the day."""

    day: Day
    calendar: Calendar
    stays: list[Stay]
    previous: date
    following: date


def day_detail(access: FamilyAccess, day: date, zone: ZoneInfo) -> DayDetail:
    """The local date `day` in `zone` (the family's). Queries: those of calendar_between."""
    calendar = calendar_between(access, day, day + timedelta(days=1), zone=zone)
    start, end = local_midnight(zone, day), local_midnight(zone, day + timedelta(days=1))
    stays = []
    for segment in calendar.segments:
        plan = calendar.plan_at(segment.start)
        stays.append(
            Stay(
                parent=segment.parent,
                name=plan.name_of(segment.parent) if plan else segment.parent,
                start=segment.start,
                end=segment.end,
                starts_day=segment.start <= start,
                ends_day=segment.end >= end,
                label="" if segment.source.kind == "rotation" else segment.source.label,
            )
        )
    return DayDetail(
        day=calendar.days[0],
        calendar=calendar,
        stays=stays,
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the 28th at most, so every month has it)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def check_window(first: date, stop: date) -> None:
    """The local dates [first, stop) one read of the calendar or the time-share may span."""
    if stop <= first:
        raise DomainError(_("The end must come after the start."), field="to")
    if (stop - first).days > MAX_WINDOW_DAYS:
        raise DomainError(
            _("Ask for at most %(days)d days at a time.") % {"days": MAX_WINDOW_DAYS}, field="to"
        )


def calendar_window(
    access: FamilyAccess, first: date | None = None, stop: date | None = None
) -> Calendar:
    """The calendar over the local dates [first, stop) as a list (the API's calendar): without
    `first`, today in the family's zone; without `stop`, a month after `first`. DomainError on
    `to` for an empty window or one longer than MAX_WINDOW_DAYS."""
    schedule = schedule_of(access)
    first = first or timezone.now().astimezone(schedule.zone()).date()
    stop = stop or add_months(first, 1)
    check_window(first, stop)
    return calendar_between(access, first, stop, schedule=schedule, by_day=False)


def month_grid(year: int, month: int) -> tuple[date, date]:
    """The Monday before the first of the month to the Monday after its last week."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    following = date(year + month // 12, month % 12 + 1, 1)
    stop = following + timedelta(days=(7 - following.weekday()) % 7)
    return start, stop


# --- time-share --------------------------------------------------------------------------------


@dataclass
class MonthShare:
    month: date
    overnights: dict[str, int]


def timeshare_between(
    access: FamilyAccess, first: date, stop: date, *, schedule: Schedule | None = None
) -> tuple[TimeShare | None, list[MonthShare], Schedule]:
    """The planned time-share over the local dates [first, stop) by every method, and the
    overnights of each month in it (for the chart). None without an accepted plan."""
    schedule = schedule or schedule_of(access)
    if schedule.empty:
        return None, [], schedule
    zone = schedule.zone()
    # One day more than the window: the last date's overnight is decided at 00:00 after it.
    segments, _exchanges = schedule.expand(
        local_midnight(zone, first), local_midnight(zone, stop + timedelta(days=1))
    )
    share = timeshare(segments, Window(zone, first, stop))
    months: list[MonthShare] = []
    month = date(first.year, first.month, 1)
    while month < stop:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        low, high = max(month, first), min(following, stop)
        tally = timeshare(segments, Window(zone, low, high), ["overnights"])["overnights"]
        months.append(MonthShare(month, {k: int(v) for k, v in tally.counts.items()}))
        month = following
    return share, months, schedule


@dataclass(frozen=True)
class TimeshareWindow:
    first: date
    stop: date
    zone: ZoneInfo
    share: TimeShare | None  # None without an accepted plan
    months: list[MonthShare]
    plan: Plan | None


def timeshare_window(
    access: FamilyAccess, first: date | None = None, stop: date | None = None
) -> TimeshareWindow:
    """The time-share over the local dates [first, stop) (the API's): without `first`, today in
    the family's zone; without `stop`, a year after `first`. DomainError on `to` as for
    `calendar_window`."""
    schedule = schedule_of(access)
    zone = schedule.zone()
    first = first or timezone.now().astimezone(zone).date()
    stop = stop or add_months(first, 12)
    check_window(first, stop)
    share, months, schedule = timeshare_between(access, first, stop, schedule=schedule)
    return TimeshareWindow(first, stop, zone, share, months, schedule.current_plan())


# --- a plan not yet proposed ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanPreview:
    """What a plan someone is typing would give, before anything is saved: its custody segments
    and exchanges over [first, stop), the time-share over the same dates, and, for the editor,
    the calendar of its first months."""

    plan: Plan
    first: date
    stop: date
    segments: list[Segment]
    exchanges: list[Exchange]
    share: TimeShare
    months: list[tuple[date, Calendar]]
    exchange_days: list[int] = field(default_factory=list)
    """The weekdays (0 = Monday) on which the rotation hands over in its first two weeks, for
    "Exchanges at 17:30 at school on Monday, Wednesday and Friday"."""


def with_parent_names(access: FamilyAccess, data: dict[str, Any]) -> dict[str, Any]:
    """A plan without `parents` gets the family's parents' names (as the editor gives them)."""
    if "parents" in data:
        return data
    return {**data, "parents": list(parent_names(access))}


def plan_preview(
    access: FamilyAccess,
    data: dict[str, Any],
    first: date,
    stop: date,
    *,
    calendar_months: int = 0,
    listed: bool = True,
) -> PlanPreview:
    """Preview the plan `data` (the engine's shape; the family's parents' names when it has
    none) over the local dates [first, stop), with the calendar of `calendar_months` months
    from `first`'s (`listed=False` leaves out the list of segments and exchanges, which the
    editor does not show, so a live preview expands the year once). Raises PlanProblem for a
    plan the engine refuses, DomainError on `to` for a bad window. Queries: the parents' names
    when `data` has none, and the events of each month shown (the plan is not stored yet)."""
    check_window(first, stop)
    plan = check_plan(with_parent_names(access, data))
    expansion = expand_dates(plan, first, stop) if listed else None
    schedule = Schedule([Piece(None, plan, local_midnight(plan.zone, first), None)])
    months: list[tuple[date, Calendar]] = []
    month = date(first.year, first.month, 1)
    for _index in range(calendar_months):
        low, high = month_grid(month.year, month.month)
        calendar = calendar_between(
            access,
            low,
            high,
            schedule=schedule,
            month=(month.year, month.month),
            zone=zone_or_utc(access.family.timezone),
        )
        months.append((month, calendar))
        month = add_months(month, 1)
    return PlanPreview(
        plan=plan,
        first=first,
        stop=stop,
        segments=list(expansion.segments) if expansion else [],
        exchanges=shown_places(access, expansion.exchanges) if expansion else [],
        share=plan_timeshare(plan, first, stop),
        months=months,
        exchange_days=rotation_weekdays(plan, first),
    )


def rotation_weekdays(plan: Plan, first: date) -> list[int]:
    """The weekdays of the rotation's exchanges over two weeks (or one whole cycle of a longer
    rotation, up to eight weeks) from `first`, in the plan's zone."""
    days = min(max(14, len(plan.rotation)), 56)
    found = expand_dates(plan, first, first + timedelta(days=days)).exchanges
    return sorted(
        {x.at.astimezone(plan.zone).weekday() for x in found if x.source.kind == "rotation"}
    )


# --- what a proposal changes -----------------------------------------------------------------

CHANGE_MONTHS = 6  # how far ahead a proposal's "what changes" looks


@dataclass(frozen=True)
class SmallDay:
    """A day of the small calendar: its parent before and after the change (letters; None
    without a plan), and whether the change moves it."""

    date: date
    in_month: bool
    before: Letter | None
    after: Letter | None

    @property
    def changed(self) -> bool:
        return self.in_month and self.before != self.after


@dataclass(frozen=True)
class SettingChange:
    """One of the plan's settings as it is and as proposed ("Exchanges", "6:00 PM", …)."""

    what: str
    before: str
    after: str


@dataclass(frozen=True)
class WhatChanges:
    """What accepting `version` would change, over the local dates [changes.window.first,
    changes.window.stop) in the family's zone: the nights that move, the exchanges that come
    and go, the overnights before and after, the plan's settings side by side, and a small
    calendar of each month with a night that moves."""

    version: PlanVersion
    changes: PlanChanges
    names: tuple[str, str]
    before_names: tuple[str, str]
    settings: list[SettingChange]
    months: list[tuple[date, list[list[SmallDay]]]]
    first_plan: bool
    months_ahead: int = CHANGE_MONTHS

    def moved(self) -> list[tuple[str, str, int]]:
        """(from, to, nights) for each direction nights move in, "nobody" before a first
        plan."""
        rows = []
        pairs: list[tuple[Letter | None, Letter]] = [
            ("A", "B"),
            ("B", "A"),
            (None, "A"),
            (None, "B"),
        ]
        for before, after in pairs:
            count = self.changes.moved(before, after)
            if count:
                was = self.before_names[before == "B"] if before else ""
                rows.append((was, self.names[after == "B"], count))
        return rows


def schedule_with(schedule: Schedule, plan: Plan, start: datetime) -> Schedule:
    """The schedule as it would be once `plan` governs from `start`: earlier versions keep the
    days before it, and versions from that date on are superseded (as `plan_accept` does)."""
    pieces = []
    for piece in schedule.pieces:
        if piece.start >= start:
            break
        end = start if piece.end is None or piece.end > start else piece.end
        pieces.append(dataclasses.replace(piece, end=end))
    # The calendar changes (swaps, trips) stay on the days they change, whatever the plan.
    pieces.append(Piece(None, with_overrides(plan, schedule.changes), start, None, base=plan))
    return Schedule(pieces, schedule.ever_accepted, schedule.changes)


def place_words(place: str, names: tuple[str, str]) -> str:
    """A plan's exchange place as the plan's own words say it: "home:A" is "Alex's home" (the
    plan holds no address; HomePlaces says the address to whoever may read it)."""
    letter = home_letter(place)
    if letter is None:
        return place
    return _("%(name)s's home") % {"name": names[letter == "B"]}


def _settings(
    old: dict[str, Any] | None, new: dict[str, Any], zone_names: tuple[str, str]
) -> list[SettingChange]:
    from coparent.schedule.words import describe_pattern, who_in_which_years

    def rows(plan: dict[str, Any] | None, names: tuple[str, str]) -> dict[str, str]:
        if plan is None:
            return {}
        found = {
            _("Pattern"): describe_pattern(plan, names),
            _("Exchanges at"): str(plan.get("exchange_time", "")),
            _("Exchange place"): place_words(str(plan.get("exchange_place", "")), names)
            or _("not set"),
            _("Time zone"): str(plan.get("timezone", "")).replace("_", " "),
        }
        for key, label in (
            ("holiday", _("Holiday")),
            ("birthday", _("Birthday")),
            ("school_break", _("School break")),
        ):
            for row in plan.get(key, []):
                found[f"{label}: {row.get('name', '')}"] = who_in_which_years(
                    row.get("odd_years"), row.get("even_years"), names
                )
        return found

    before = rows(old, _two(old["parents"]) if old else zone_names)
    after = rows(new, _two(new["parents"]))
    none = _("none")
    return [
        SettingChange(what, before.get(what, none), after.get(what, none))
        for what in [*before, *(k for k in after if k not in before)]
        if before.get(what) != after.get(what)
    ]


def what_changes(
    versions: Sequence[PlanVersion],
    version: PlanVersion,
    *,
    zone: ZoneInfo,
    today: date,
    months: int = CHANGE_MONTHS,
) -> WhatChanges:
    """What accepting `version` would change over `months` months from its date (or today,
    when that is later), in `zone` (the family's). No query: `versions` are the family's
    versions the page has read already."""
    old = schedule_from(versions)
    plan = plan_from_dict(version.plan)
    new = schedule_with(old, plan, local_midnight(plan.zone, version.effective_from))
    first = max(version.effective_from, today)
    stop = add_months(first, months)
    low = month_grid(first.year, first.month)[0]
    last = stop - timedelta(days=1)
    high = max(month_grid(last.year, last.month)[1], stop)
    # One night more than the days shown: the last one is decided at 00:00 after it.
    span = local_midnight(zone, low), local_midnight(zone, high + timedelta(days=1))
    old_segments, old_exchanges = old.expand(*span)
    new_segments, new_exchanges = new.expand(*span)
    changes = compare(
        old_segments, old_exchanges, new_segments, new_exchanges, Window(zone, first, stop)
    )
    grid = Window(zone, low, high)
    before_nights = dict(zip(_dates(low, high), nights(old_segments, grid), strict=True))
    after_nights = dict(zip(_dates(low, high), nights(new_segments, grid), strict=True))
    shown = []
    for month in changes.months:
        start, end = month_grid(month.year, month.month)
        days = [
            SmallDay(
                day,
                (day.year, day.month) == (month.year, month.month) and first <= day < stop,
                before_nights[day],
                after_nights[day],
            )
            for day in _dates(start, end)
        ]
        shown.append((month, [days[i : i + 7] for i in range(0, len(days), 7)]))
    # The plan the proposal replaces: the one in force on its first day, else the first to come.
    current = old.plan_on(local_midnight(zone, first)) or old.current_plan()
    names = plan.parents
    return WhatChanges(
        version=version,
        changes=changes,
        names=names,
        before_names=current.parents if current else names,
        settings=_settings(
            plan_to_dict(current, json_safe=True) if current else None, version.plan, names
        ),
        months=shown,
        first_plan=current is None,
        months_ahead=months,
    )


def _two(names: Sequence[str]) -> tuple[str, str]:
    return str(names[0]), str(names[1])


def names_of(version: PlanVersion) -> tuple[str, str]:
    """The two parents' names as the version's plan gives them."""
    return _two(version.plan["parents"])


def _dates(first: date, stop: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((stop - first).days)]


# --- feeds -------------------------------------------------------------------------------------


def active_feed(access: FamilyAccess) -> FeedToken | None:
    return FeedToken.objects.filter(
        family=access.family, user=access.membership.user, revoked_at__isnull=True
    ).first()


def feed_for_token(token: str) -> FeedToken | None:
    """The live feed whose URL carries `token`, with its family and user (one query); None for a
    wrong or revoked token, and for a member who has left the family since."""
    feed = (
        FeedToken.objects.filter(token_hash=hash_link_token(token), revoked_at__isnull=True)
        .select_related("family", "user")
        .first()
    )
    return feed


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def parent_names(access: FamilyAccess) -> tuple[str, str]:
    """Parent A is the family's first parent, B the second (or a placeholder until one joins):
    the names the plan uses (one query)."""
    names = [
        m.user.display_name or m.user.email
        for m in Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .select_related("user")
        .order_by("joined_at", "pk")[:2]
    ]
    while len(names) < 2:
        names.append(_("Second parent") if names else _("First parent"))
    if names[0].casefold() == names[1].casefold():
        names[1] = f"{names[1]} (2)"
    return names[0], names[1]


def parent_letters(access: FamilyAccess) -> dict[int, Letter]:
    """Each parent's letter in the plan, by user id: "A" for the family's first parent, "B" for
    the second (the order `parent_names` gives the plan; one query)."""
    ids = (
        Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .order_by("joined_at", "pk")
        .values_list("user_id", flat=True)[:2]
    )
    letters: tuple[Letter, Letter] = ("A", "B")
    return dict(zip(ids, letters, strict=False))

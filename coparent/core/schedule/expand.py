"""Expanding a plan into custody segments and exchanges over any range of instants.

How (and why it is fast): the rotation is laid down run by run (a run is a stretch of days with
one letter, so a 2-2-5-5 plan makes four pieces a fortnight, not fourteen), with each boundary
turned into an instant once. The layers above it are then painted on in order, lowest first
(school breaks, holidays, birthdays, overrides; within a layer, later entries last), each as
one interval that cuts the timeline where it starts and ends. Nothing walks hour by hour.

Local times become instants by the rules of ARCHITECTURE.md: a wall-clock time that does not
exist (the spring-forward gap) is read with the offset in force before the gap, so 02:30 is
03:30; an ambiguous one (fall-back) is its first occurrence. Both are what Python's ``fold=0``
means (PEP 495), which is how every local time here is read.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from coparent.core.schedule import holiday_dates
from coparent.core.schedule.model import (
    END_DATE,
    FIRST_DATE,
    ROTATION,
    DayOffset,
    Exchange,
    Expansion,
    HolidayRule,
    Letter,
    Plan,
    Segment,
    Source,
    on_month_day,
)
from coparent.core.schedule.patterns import Run, runs_of

MIDNIGHT = time(0, 0)


def instant(zone: ZoneInfo, day: date, clock: time) -> float:
    """The POSIX timestamp of a local wall-clock time (gap: offset before it; fold: first)."""
    return datetime.combine(day, clock, tzinfo=zone).timestamp()


def local_midnight(zone: ZoneInfo, day: date) -> datetime:
    """The instant (aware, UTC) at which ``day`` begins in ``zone``: 00:00 local, or, where
    00:00 does not exist that day, the instant the gap's rule gives."""
    return datetime.fromtimestamp(instant(zone, day, MIDNIGHT), UTC)


def expand(plan: Plan, start: datetime, end: datetime) -> Expansion:
    """The plan over the instants [start, end) (aware datetimes).

    Segments are cut at ``start`` and ``end``, follow one another with no gap (none at all for
    an empty range), and two next to each other differ in parent or in source. Exchanges are
    the instants in [start, end) where the parent changes, an exchange exactly at ``start``
    included (so ranges placed end to end list each exchange once).
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if end < start:
        raise ValueError("the range ends before it starts")
    zone = plan.zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    if first < FIRST_DATE + timedelta(days=2) or last >= END_DATE - timedelta(days=2):
        raise ValueError(f"ranges must lie between {FIRST_DATE} and {END_DATE}")
    engine = _engine(plan)
    # One day more on each side than the range needs: the segment that runs into ``start``
    # must be known to tell whether an exchange falls exactly on it.
    timeline = engine.rotation(first - timedelta(days=2), last + timedelta(days=1))
    for piece in engine.overlays(timeline.bounds[0], timeline.bounds[-1]):
        timeline.paint(*piece)
    return timeline.cut(start, end, plan.exchange_place)


def expand_dates(plan: Plan, first: date, stop: date) -> Expansion:
    """The plan over the local dates [first, stop): from the start of ``first`` to the start
    of ``stop`` in the plan's zone."""
    zone = plan.zone
    return expand(plan, local_midnight(zone, first), local_midnight(zone, stop))


def parent_at(plan: Plan, moment: datetime) -> Letter:
    """Who has the children at an instant (aware)."""
    return expand(plan, moment, moment + timedelta(seconds=1)).segments[0].parent


# --- the timeline ---------------------------------------------------------------------------


class _Timeline:
    """Segments as parallel lists: segment i is [bounds[i], bounds[i + 1]) with owners[i]
    and sources[i]. Painting replaces a stretch with slice assignments."""

    def __init__(self, bounds: list[float], owners: list[Letter]) -> None:
        self.bounds = bounds
        self.owners = owners
        self.sources: list[Source] = [ROTATION] * len(owners)

    def paint(self, start: float, end: float, owner: Letter, source: Source) -> None:
        bounds = self.bounds
        start, end = max(start, bounds[0]), min(end, bounds[-1])
        if start >= end:
            return
        i = bisect_right(bounds, start) - 1  # the segment that holds ``start``
        j = bisect_left(bounds, end)  # the first boundary at or after ``end``
        a = i + 1 if bounds[i] < start else i  # segment i keeps its part before ``start``
        if bounds[j] == end:
            new_bounds, new_owners, new_sources = [start], [owner], [source]
        else:  # segment j - 1 goes on after ``end``
            new_bounds = [start, end]
            new_owners = [owner, self.owners[j - 1]]
            new_sources = [source, self.sources[j - 1]]
        bounds[a:j] = new_bounds
        self.owners[a:j] = new_owners
        self.sources[a:j] = new_sources

    def merge(self) -> None:
        """Join neighbours with the same parent and source into one segment."""
        bounds, owners, sources = [self.bounds[0]], [self.owners[0]], [self.sources[0]]
        for k in range(1, len(self.owners)):
            if self.owners[k] == owners[-1] and self.sources[k] == sources[-1]:
                continue
            bounds.append(self.bounds[k])
            owners.append(self.owners[k])
            sources.append(self.sources[k])
        bounds.append(self.bounds[-1])
        self.bounds, self.owners, self.sources = bounds, owners, sources

    def cut(self, start: datetime, end: datetime, place: str) -> Expansion:
        """The segments and exchanges of [start, end) (which the timeline must cover)."""
        self.merge()
        low, high = start.timestamp(), end.timestamp()
        bounds, owners, sources = self.bounds, self.owners, self.sources
        utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)
        segments: list[Segment] = []
        exchanges: list[Exchange] = []
        i = bisect_right(bounds, low) - 1  # the segment that holds ``start``
        while low < high and i < len(owners) and bounds[i] < high:
            if bounds[i] >= low and i > 0:
                # Neighbours differ after the merge; a change of parent is an exchange.
                at = _utc(bounds[i])
                if owners[i - 1] != owners[i]:
                    exchanges.append(Exchange(at, owners[i - 1], owners[i], sources[i], place))
            else:
                at = utc_start
            until = utc_end if bounds[i + 1] >= high else _utc(bounds[i + 1])
            segments.append(Segment(at, until, owners[i], sources[i]))
            i += 1
        return Expansion(utc_start, utc_end, tuple(segments), tuple(exchanges))


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


# --- the compiled plan ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Engine:
    plan: Plan
    zone: ZoneInfo
    runs: tuple[Run, ...]
    run_at: tuple[int, ...]
    """For each day of the cycle, the index of the run that holds it."""

    def rotation(self, first: date, last: date) -> _Timeline:
        """Rotation segments from the exchange on ``first`` to one on or after ``last``, with
        runs that touch across the cycle's end merged."""
        plan, zone, runs = self.plan, self.zone, self.runs
        cycle = len(plan.rotation)
        clock = plan.exchange_time
        day = first.toordinal()
        position = (first - plan.start).days % cycle
        run = self.run_at[position]
        bounds = [instant(zone, first, clock)]
        owners: list[Letter] = []
        end = last.toordinal()
        while day <= end:
            current = runs[run]
            day += current.offset + current.length - position
            run = (run + 1) % len(runs)
            position = runs[run].offset
            if owners and owners[-1] == current.letter:
                bounds[-1] = instant(zone, date.fromordinal(day), clock)
            else:
                owners.append(current.letter)
                bounds.append(instant(zone, date.fromordinal(day), clock))
        return _Timeline(bounds, owners)

    def overlays(self, low: float, high: float) -> list[tuple[float, float, Letter, Source]]:
        """Every holiday-like piece and override touching [low, high), lowest layer first."""
        plan, zone = self.plan, self.zone
        years = range(
            datetime.fromtimestamp(low, zone).year - 1,
            datetime.fromtimestamp(high, zone).year + 2,
        )
        pieces: list[tuple[float, float, Letter, Source]] = []
        for school_break in plan.school_breaks:
            source = Source("school_break", school_break.name)
            for piece_start, piece_end, letter in school_break.pieces():
                pieces.append((_local(zone, piece_start), _local(zone, piece_end), letter, source))
        for rule in plan.holidays:
            source = Source("holiday", rule.name)
            for year in years:
                owner = rule.owners.owner(year)
                day = self.holiday_date(rule, year) if owner is not None else None
                if owner is not None and day is not None:
                    pieces.append((*_span(zone, day, rule.start, rule.end), owner, source))
        for birthday in plan.birthdays:
            source = Source("birthday", birthday.name)
            for year in years:
                holder = birthday.owners.owner(year)
                if holder is None or (birthday.year is not None and year < birthday.year):
                    continue
                day = on_month_day(year, birthday.month, birthday.day)
                pieces.append((*_span(zone, day, birthday.start, birthday.end), holder, source))
        for override in plan.overrides:
            source = Source("override", override.note)
            start, end = _local(zone, override.start), _local(zone, override.end)
            pieces.append((start, end, override.parent, source))
        return [piece for piece in pieces if piece[0] < high and piece[1] > low]

    def holiday_date(self, rule: HolidayRule, year: int) -> date | None:
        month_day = rule.month_day
        if month_day is not None:
            return on_month_day(year, *month_day)
        plan = self.plan
        country = rule.country or plan.country
        subdivision = rule.subdivision if rule.country else plan.subdivision
        if country is None:
            return None
        return holiday_dates.holiday_date(country, subdivision, rule.date, year)


def _local(zone: ZoneInfo, moment: datetime) -> float:
    if moment.tzinfo is not None:
        return moment.timestamp()
    return moment.replace(tzinfo=zone).timestamp()


def _span(zone: ZoneInfo, day: date, start: DayOffset, end: DayOffset) -> tuple[float, float]:
    return (
        instant(zone, day + timedelta(days=start.days), start.clock),
        instant(zone, day + timedelta(days=end.days), end.clock),
    )


@lru_cache(maxsize=256)
def _engine(plan: Plan) -> _Engine:
    runs = runs_of(plan.rotation)
    run_at = tuple(index for index, run in enumerate(runs) for _ in range(run.length))
    return _Engine(plan, plan.zone, runs, run_at)

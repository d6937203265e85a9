"""The parenting plan as plain, immutable data, and what the engine hands back.

A plan says who has the children when: a repeating rotation of days, with holiday-like rules
(school breaks, holidays, birthdays) above it and one-off overrides above those. Nothing here
knows about files, databases or Django: ``parse`` turns a TOML file (or a dict from a database)
into a ``Plan`` and checks it, ``expand`` turns a plan into custody segments and exchanges.

Local times in a plan are naive (wall-clock) values in the plan's zone; instants the engine
produces are aware datetimes in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

Letter = Literal["A", "B"]
"""A parent as the plan names them: "A" is the first of ``Plan.parents``, "B" the second."""

LETTERS: tuple[Letter, Letter] = ("A", "B")

SourceKind = Literal["rotation", "school_break", "holiday", "birthday", "override", "actual"]
"""Where a stretch of custody comes from. "actual" is for segments built from what happened
(check-ins), which callers may feed to the time-share functions beside the planned ones."""

Split = Literal["whole", "halves"]

FIRST_DATE = date(1900, 1, 1)
"""Plans and ranges live between these dates (exclusive end): far enough for any family, near
enough that day arithmetic and the holiday tables never run off their ends."""
END_DATE = date(2200, 1, 1)


def other(letter: Letter) -> Letter:
    """The other parent."""
    return "B" if letter == "A" else "A"


@dataclass(frozen=True, slots=True)
class DayOffset:
    """A local time some days before or after a reference date: "-1d 18:00", "+3d 18:00"."""

    days: int
    clock: time

    def __str__(self) -> str:
        return f"{self.days:+d}d {self.clock:%H:%M}"

    def key(self) -> tuple[int, time]:
        return (self.days, self.clock)


@dataclass(frozen=True, slots=True)
class YearOwners:
    """Who has a yearly rule in odd and in even years; None leaves that year to the layers
    below (the rotation, or a lower rule)."""

    odd_years: Letter | None
    even_years: Letter | None

    def owner(self, year: int) -> Letter | None:
        return self.odd_years if year % 2 else self.even_years


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """A yearly holiday: its date comes from the `holidays` package (``date`` is matched,
    ignoring case, inside the names it gives for ``country``) or is a fixed "MM-DD"."""

    name: str
    date: str
    start: DayOffset
    end: DayOffset
    owners: YearOwners
    country: str | None = None
    subdivision: str | None = None

    @property
    def month_day(self) -> tuple[int, int] | None:
        """(month, day) when ``date`` is "MM-DD", else None (a holiday name)."""
        return parse_month_day(self.date)


@dataclass(frozen=True, slots=True)
class Birthday:
    """A yearly birthday on a fixed month and day (extension ``[[birthday]]``). A 29 February
    birthday falls on 28 February in other years. With a birth ``year``, years before it are
    skipped."""

    name: str
    month: int
    day: int
    start: DayOffset
    end: DayOffset
    owners: YearOwners
    year: int | None = None


@dataclass(frozen=True, slots=True)
class SchoolBreak:
    """A dated school break (extension ``[[school_break]]``), local wall-clock start and end.

    ``whole``: the parent of the break's start year has all of it. ``halves``: that parent has
    the first half and the other parent the second; the halves meet at the wall-clock midpoint.
    """

    name: str
    start: datetime
    end: datetime
    owners: YearOwners
    split: Split = "whole"

    def pieces(self) -> list[tuple[datetime, datetime, Letter]]:
        """The break as (local start, local end, parent) pieces; empty when nobody is named
        for the year in which it starts."""
        owner = self.owners.owner(self.start.year)
        if owner is None:
            return []
        if self.split == "whole":
            return [(self.start, self.end, owner)]
        middle = self.start + (self.end - self.start) / 2
        middle = middle.replace(microsecond=0)
        return [(self.start, middle, owner), (middle, self.end, other(owner))]


@dataclass(frozen=True, slots=True)
class Override:
    """A one-off stretch (a swap, a trip). Naive start and end are local wall-clock times in
    the plan's zone; aware ones are exact instants."""

    start: datetime
    end: datetime
    parent: Letter
    note: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A parenting plan. ``rotation`` is always set (a named ``pattern`` fills it in)."""

    timezone: str
    parents: tuple[str, str]
    start: date
    exchange_time: time
    rotation: str
    pattern: str | None = None
    holidays: tuple[HolidayRule, ...] = ()
    overrides: tuple[Override, ...] = ()
    school_breaks: tuple[SchoolBreak, ...] = ()
    birthdays: tuple[Birthday, ...] = ()
    exchange_place: str = ""
    country: str | None = None
    subdivision: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def name_of(self, letter: Letter) -> str:
        return self.parents[0] if letter == "A" else self.parents[1]

    def letter_of_day(self, day: date) -> Letter:
        """The rotation's letter for ``day`` (negative day numbers count backwards)."""
        letter = self.rotation[(day - self.start).days % len(self.rotation)]
        return "A" if letter == "A" else "B"


@dataclass(frozen=True, slots=True)
class Source:
    """Why a segment has the parent it has: the layer (``kind``) and, for holiday-like rules
    and overrides, the rule's name or the override's note."""

    kind: SourceKind
    name: str = ""

    @property
    def label(self) -> str:
        """ "rotation", the rule's name, or the override's note ("override" without one)."""
        return self.name or self.kind.replace("_", " ")


ROTATION = Source("rotation")


@dataclass(frozen=True, slots=True)
class Segment:
    """The children are with ``parent`` during [start, end): aware UTC datetimes."""

    start: datetime
    end: datetime
    parent: Letter
    source: Source = field(default=ROTATION)


@dataclass(frozen=True, slots=True)
class Exchange:
    """Custody passes from one parent to the other at ``at`` (aware, UTC). ``source`` is the
    layer of the stretch that begins there (a holiday starting, the rotation resuming)."""

    at: datetime
    from_parent: Letter
    to_parent: Letter
    source: Source = field(default=ROTATION)
    place: str = ""


@dataclass(frozen=True, slots=True)
class Expansion:
    """A plan expanded over [start, end): segments cut at the range's ends, in order, with no
    gap; and every exchange at an instant in [start, end)."""

    start: datetime
    end: datetime
    segments: tuple[Segment, ...]
    exchanges: tuple[Exchange, ...]


def parse_month_day(text: str) -> tuple[int, int] | None:
    """(month, day) for a "MM-DD" text that names a real day of some year, else None."""
    if len(text) != 5 or text[2] != "-" or not (text[:2] + text[3:]).isdigit():
        return None
    month, day = int(text[:2]), int(text[3:])
    try:
        date(2000, month, day)  # a leap year, so 02-29 is a real day
    except ValueError:
        return None
    return month, day


def on_month_day(year: int, month: int, day: int) -> date:
    """That month and day in ``year``; 29 February becomes 28 February in other years."""
    if month == 2 and day == 29 and not _is_leap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

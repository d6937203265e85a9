"""Reading and checking plans: TOML text, or the same shape as a dict (what a database keeps).

Every problem is collected, not only the first, and each one names its field the way the file
spells it: ``timezone``, ``holiday[0].date``, ``school_break[1].start`` (indexes count from 0 in
the order the tables appear). ``plan_to_dict`` and ``plan_to_toml`` write a plan back in the
same shape, so a stored plan can be downloaded as a file and read again unchanged.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from coparent.core.schedule import holiday_dates
from coparent.core.schedule.model import (
    END_DATE,
    FIRST_DATE,
    Birthday,
    DayOffset,
    HolidayRule,
    Letter,
    Override,
    Plan,
    SchoolBreak,
    Split,
    YearOwners,
    parse_month_day,
)
from coparent.core.schedule.patterns import PATTERNS
from coparent.core.text import char_name, hidden_characters

Problem = tuple[str, str]
T = TypeVar("T")

TOP_KEYS = (
    "timezone",
    "parents",
    "start",
    "exchange_time",
    "pattern",
    "rotation",
    "exchange_place",
    "country",
    "subdivision",
    "holiday",
    "school_break",
    "birthday",
    "override",
)
HOLIDAY_KEYS = (
    "name",
    "date",
    "country",
    "subdivision",
    "start",
    "end",
    "odd_years",
    "even_years",
)
BIRTHDAY_KEYS = ("name", "date", "start", "end", "odd_years", "even_years")
SCHOOL_BREAK_KEYS = ("name", "start", "end", "split", "odd_years", "even_years")
OVERRIDE_KEYS = ("start", "end", "parent", "note")
MAX_ROTATION = 1000
MAX_OFFSET_DAYS = 100
NAME_CHECK_YEARS = 4
"""A holiday name must be found in at least one of this many years from the plan's start."""

_OFFSET = re.compile(r"^\s*([+-]?\d{1,3})\s*d\s+(\d{1,2}):(\d{2})\s*$")
_LOOKS_LIKE_MONTH_DAY = re.compile(r"^\d{1,2}-\d{1,2}$")


class PlanError(ValueError):
    """A plan that cannot be used, with every problem as (field, message)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.problems))

    def lines(self) -> list[str]:
        return [f"{name}: {message}" for name, message in self.problems]


# --- reading -----------------------------------------------------------------------------


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan file. OSError when it cannot be read; PlanError when it is not
    TOML (field "file", with the line) or not a valid plan."""
    return parse_plan(Path(path).read_text(encoding="utf-8"))


def parse_plan(text: str) -> Plan:
    """Parse and check TOML text (PlanError names every problem)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError([("file", f"not valid TOML: {exc}")]) from None
    return plan_from_dict(data)


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """Build and check a plan from TOML-shaped data. Dates, times and date-times may be the
    TOML values or ISO 8601 text (as JSON storage gives them back)."""
    reader = _Reader()
    plan = reader.plan(data)
    if reader.problems or plan is None:
        raise PlanError(reader.problems)
    return plan


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.zone: ZoneInfo | None = None
        self.exchange_time: time | None = None
        self.parents: tuple[str, str] | None = None

    def fail(self, name: str, message: str) -> None:
        self.problems.append((name, message))

    # --- the plan itself

    def plan(self, data: Mapping[str, Any]) -> Plan | None:
        if not isinstance(data, Mapping):
            self.fail("file", "a plan is a table of keys (timezone, parents, start, …)")
            return None
        self.unknown_keys(data, TOP_KEYS, "")
        self.zone = self.timezone(data.get("timezone"))
        self.parents = self.parent_names(data.get("parents"))
        start = self.day("start", data.get("start"), required=True)
        self.exchange_time = self.clock("exchange_time", data.get("exchange_time"))
        rotation, pattern = self.rotation(data.get("pattern"), data.get("rotation"))
        place = self.text("exchange_place", data.get("exchange_place"), required=False)
        # Country codes are upper case in the holidays package; "us" means "US".
        country = self.text("country", data.get("country"), required=False).upper() or None
        subdivision = self.text("subdivision", data.get("subdivision"), required=False) or None
        calendar: tuple[str | None, str | None] | None = (None, None)
        if subdivision and not country:
            self.fail("subdivision", "needs a country beside it")
            calendar = None
        elif country:
            calendar = (country, subdivision) if self.calendar("", country, subdivision) else None
        holidays = self.each(data, "holiday", lambda n, t: self.holiday(n, t, start, calendar))
        school_breaks = self.each(data, "school_break", self.school_break)
        self.no_overlaps(school_breaks)
        birthdays = self.each(data, "birthday", self.birthday)
        overrides = self.each(data, "override", self.override)
        if (
            self.problems
            or self.zone is None
            or self.parents is None
            or start is None
            or self.exchange_time is None
            or rotation is None
        ):
            return None
        return Plan(
            timezone=self.zone.key,
            parents=self.parents,
            start=start,
            exchange_time=self.exchange_time,
            rotation=rotation,
            pattern=pattern,
            holidays=tuple(h for h in holidays if h is not None),
            overrides=tuple(o for o in overrides if o is not None),
            school_breaks=tuple(b for b in school_breaks if b is not None),
            birthdays=tuple(b for b in birthdays if b is not None),
            exchange_place=place,
            country=country,
            subdivision=subdivision if country else None,
        )

    def unknown_keys(self, data: Mapping[str, Any], known: Sequence[str], prefix: str) -> None:
        for key in data:
            if key not in known:
                self.fail(f"{prefix}{key}", f"unknown key (the keys here are: {', '.join(known)})")

    def each(
        self, data: Mapping[str, Any], key: str, read: Callable[[str, Mapping[str, Any]], T | None]
    ) -> list[T | None]:
        tables = data.get(key, [])
        if isinstance(tables, Mapping):
            self.fail(key, f"write each one as [[{key}]], a table in a list")
            return []
        if not isinstance(tables, list):
            self.fail(key, f"must be a list of [[{key}]] tables")
            return []
        found: list[T | None] = []
        for index, table in enumerate(tables):
            name = f"{key}[{index}]"
            if not isinstance(table, Mapping):
                self.fail(name, "must be a table of keys")
                found.append(None)
                continue
            before = len(self.problems)
            value = read(name, table)
            found.append(value if len(self.problems) == before else None)
        return found

    # --- scalar fields

    def text(self, name: str, value: object, *, required: bool = True) -> str:
        if value is None:
            if required:
                self.fail(name, "missing")
            return ""
        if not isinstance(value, str):
            self.fail(name, "must be text in quotes")
            return ""
        if required and not value.strip():
            self.fail(name, "must not be empty")
        self.visible(name, value)
        return value.strip()

    def visible(self, name: str, value: str) -> None:
        # Names and notes show on every member's calendar: nothing in them may reorder or
        # hide what is shown (coparent.core.text).
        hidden = hidden_characters(value)
        if hidden:
            which = ", ".join(char_name(ch) for ch in hidden)
            self.fail(
                name,
                f"remove the invisible character {which}: it can make the text "
                "show differently from what is saved",
            )

    def timezone(self, value: object) -> ZoneInfo | None:
        name = self.text("timezone", value)
        if not name:
            return None
        try:
            if name not in _zone_names():
                raise ZoneInfoNotFoundError(name)
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            close = [z for z in _zone_names() if z.casefold() == name.casefold()]
            hint = f'; did you mean "{close[0]}"?' if close else ' (like "America/Chicago")'
            self.fail("timezone", f'"{name}" is not an IANA time zone{hint}')
            return None

    def parent_names(self, value: object) -> tuple[str, str] | None:
        if value is None:
            self.fail("parents", 'missing: give the two parents\' names, like ["Alex", "Sam"]')
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("parents", 'must be a list of two names in quotes, like ["Alex", "Sam"]')
            return None
        names = [v.strip() for v in value]
        for index, each in enumerate(names):
            self.visible(f"parents[{index}]", each)
        if len(names) != 2:
            self.fail("parents", f"exactly two names are needed, found {len(names)}")
            return None
        if not all(names):
            self.fail("parents", "a name must not be empty")
            return None
        if names[0].casefold() == names[1].casefold():
            self.fail("parents", "the two names must differ")
            return None
        return names[0], names[1]

    def day(self, name: str, value: object, *, required: bool) -> date | None:
        if value is None:
            if required:
                self.fail(name, "missing: give a date like 2027-01-04")
            return None
        found: date | None = None
        if isinstance(value, date) and not isinstance(value, datetime):
            found = value
        elif isinstance(value, str):
            try:
                found = date.fromisoformat(value.strip())
            except ValueError:
                found = None
        if found is None:
            self.fail(name, f"{_show(value)} is not a date like 2027-01-04")
            return None
        if not FIRST_DATE <= found < END_DATE:
            self.fail(name, f"must be between {FIRST_DATE} and {END_DATE - timedelta(days=1)}")
            return None
        return found

    def clock(self, name: str, value: object, *, required: bool = True) -> time | None:
        if value is None:
            if required:
                self.fail(name, 'missing: give a local time like "18:00"')
            return None
        found: time | None = None
        if isinstance(value, time):
            found = value
        elif isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", value.strip()):
            try:
                found = time.fromisoformat(value.strip().zfill(5 if value.count(":") == 1 else 8))
            except ValueError:
                found = None
        if found is None or found.tzinfo is not None:
            self.fail(name, f'{_show(value)} is not a local time like "18:00"')
            return None
        return found.replace(microsecond=0)

    def letter(self, name: str, value: object, *, required: bool) -> Letter | None:
        if value is None:
            if required:
                self.fail(name, 'missing: "A" (the first parent) or "B" (the second)')
            return None
        if value == "A" or value == "B":
            return value
        if isinstance(value, str) and self.parents is not None:
            for letter, parent in zip(("A", "B"), self.parents, strict=True):
                if value.strip().casefold() == parent.casefold():
                    return "A" if letter == "A" else "B"
        names = f" or a parent's name ({', '.join(self.parents)})" if self.parents else ""
        self.fail(name, f'{_show(value)} is not a parent: use "A" or "B"{names}')
        return None

    def owners(self, name: str, table: Mapping[str, Any]) -> YearOwners:
        odd = self.letter(f"{name}.odd_years", table.get("odd_years"), required=False)
        even = self.letter(f"{name}.even_years", table.get("even_years"), required=False)
        if table.get("odd_years") is None and table.get("even_years") is None:
            self.fail(f"{name}.odd_years", "missing: who has it in odd years, even years or both")
        return YearOwners(odd, even)

    def offset(self, name: str, value: object) -> DayOffset | None:
        if value is None:
            self.fail(name, 'missing: a time relative to the date, like "-1d 18:00"')
            return None
        match = _OFFSET.match(value) if isinstance(value, str) else None
        if match is None:
            self.fail(name, f'{_show(value)} is not like "-1d 18:00" or "+3d 09:30"')
            return None
        days, hour, minute = (int(g) for g in match.groups())
        if hour > 23 or minute > 59:
            self.fail(name, f"{_show(value)}: {hour:02d}:{minute:02d} is not a time of day")
            return None
        if abs(days) > MAX_OFFSET_DAYS:
            self.fail(name, f"at most {MAX_OFFSET_DAYS} days before or after the date")
            return None
        return DayOffset(days, time(hour, minute))

    def span(self, name: str, table: Mapping[str, Any]) -> tuple[DayOffset, DayOffset] | None:
        start = self.offset(f"{name}.start", table.get("start"))
        end = self.offset(f"{name}.end", table.get("end"))
        if start is None or end is None:
            return None
        if end.key() <= start.key():
            self.fail(f"{name}.end", f"{end} is not after the start ({start})")
            return None
        return start, end

    def moment(self, name: str, value: object) -> datetime | None:
        """A local date-time (naive), an exact one (with an offset), or a date, which means
        that date at the plan's exchange time."""
        if value is None:
            self.fail(name, "missing: a date-time like 2027-07-10T09:00:00, or a date")
            return None
        found: date | None = None
        if isinstance(value, date):
            found = value
        elif isinstance(value, str):
            try:
                found = datetime.fromisoformat(value.strip())
                if "T" not in value.upper() and " " not in value.strip():
                    found = found.date()
            except ValueError:
                found = None
        if found is None:
            self.fail(name, f"{_show(value)} is not a date-time like 2027-07-10T09:00:00")
            return None
        if not isinstance(found, datetime):
            if self.exchange_time is None:
                return None  # the exchange time's own problem is already reported
            found = datetime.combine(found, self.exchange_time)
        if not FIRST_DATE <= found.date() < END_DATE:
            self.fail(name, f"must be between {FIRST_DATE} and {END_DATE - timedelta(days=1)}")
            return None
        if found.microsecond:
            self.fail(name, "fractions of a second are not supported")
            return None
        return found

    def rotation(self, pattern: object, rotation: object) -> tuple[str | None, str | None]:
        if pattern is not None and rotation is not None:
            self.fail("pattern", "give either a pattern or a rotation, not both")
            return None, None
        if pattern is None and rotation is None:
            self.fail("pattern", "missing: give a named pattern or a rotation of A and B days")
            return None, None
        if pattern is not None:
            if not isinstance(pattern, str) or pattern.strip() not in PATTERNS:
                self.fail(
                    "pattern",
                    f"{_show(pattern)} is not a named pattern (they are: {', '.join(PATTERNS)})",
                )
                return None, None
            return PATTERNS[pattern.strip()], pattern.strip()
        if not isinstance(rotation, str) or not rotation.strip():
            self.fail("rotation", 'must be letters A and B in quotes, one per day, like "AABB"')
            return None, None
        text = rotation.strip()
        wrong = sorted({c for c in text if c not in "AB"})
        if wrong:
            first = next(i for i, c in enumerate(text) if c not in "AB")
            self.fail(
                "rotation",
                f"only the letters A and B may appear, found {', '.join(map(repr, wrong))} "
                f"(first at day {first})",
            )
            return None, None
        if len(text) > MAX_ROTATION:
            self.fail("rotation", f"at most {MAX_ROTATION} days, found {len(text)}")
            return None, None
        return text, None

    # --- tables

    def calendar(self, prefix: str, country: str, subdivision: str | None) -> bool:
        """Check that the `holidays` package knows the country and subdivision."""
        country_field = f"{prefix}country" if prefix else "country"
        subdivision_field = f"{prefix}subdivision" if prefix else "subdivision"
        try:
            holiday_dates.check_calendar(country, None)
        except holiday_dates.UnknownCalendar:
            self.fail(
                country_field,
                f'"{country}" is not a country the holidays package knows '
                '(use a two-letter code like "US")',
            )
            return False
        if subdivision is None:
            return True
        try:
            holiday_dates.check_calendar(country, subdivision)
        except holiday_dates.UnknownCalendar:
            known = holiday_dates.subdivisions(country)
            listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
            self.fail(
                subdivision_field,
                f'"{subdivision}" is not a subdivision of {country}'
                + (f" (they are: {listed})" if known else " (it has none)"),
            )
            return False
        return True

    def holiday(
        self,
        name: str,
        table: Mapping[str, Any],
        start: date | None,
        plan_calendar: tuple[str | None, str | None] | None,
    ) -> HolidayRule | None:
        self.unknown_keys(table, HOLIDAY_KEYS, f"{name}.")
        title = self.text(f"{name}.name", table.get("name"))
        when = self.text(f"{name}.date", table.get("date"))
        own_country = self.text(f"{name}.country", table.get("country"), required=False).upper()
        own_subdivision = self.text(f"{name}.subdivision", table.get("subdivision"), required=False)
        span = self.span(name, table)
        owners = self.owners(name, table)
        if not when:
            return None
        country: str | None
        subdivision: str | None
        if own_country:
            country, subdivision = own_country, own_subdivision or None
            if not self.calendar(f"{name}.", country, subdivision):
                return None
        elif own_subdivision:
            self.fail(f"{name}.subdivision", "needs a country beside it")
            return None
        elif plan_calendar is None:
            return None  # the plan-wide country is wrong, and said so where it is written
        else:
            country, subdivision = plan_calendar
        if parse_month_day(when) is None:
            if _LOOKS_LIKE_MONTH_DAY.match(when):
                self.fail(f"{name}.date", f'"{when}" is not a day of the year like "12-25"')
                return None
            if country is None:
                self.fail(
                    f"{name}.country",
                    f'needed to look up "{when}" (or give the date as "MM-DD")',
                )
                return None
            if start is not None and not self.holiday_name(
                f"{name}.date", country, subdivision, when, start.year
            ):
                return None
        if span is None:
            return None
        return HolidayRule(
            name=title,
            date=when,
            start=span[0],
            end=span[1],
            owners=owners,
            country=own_country or None,
            subdivision=own_subdivision or None,
        )

    def holiday_name(
        self, name: str, country: str, subdivision: str | None, wanted: str, year: int
    ) -> bool:
        """The name must pick one holiday, on one date a year, in the plan's first years."""
        picked: set[str] = set()
        for y in range(year, year + NAME_CHECK_YEARS):
            found = holiday_dates.matches(country, subdivision, wanted, y)
            days = {day for day, _ in found}
            names = sorted({n for _, n in found})
            if len(days) > 1 and len(names) == 1:
                self.fail(
                    name,
                    f'"{names[0]}" falls on {len(days)} days in {y}: write the range as a '
                    "[[school_break]] instead",
                )
                return False
            if len(days) > 1:
                self.fail(
                    name,
                    f'"{wanted}" matches several {country} holidays ({", ".join(names)}): '
                    "write the one you mean",
                )
                return False
            picked.update(names)
        if not picked:
            self.fail(name, f'no {country} holiday is named like "{wanted}"')
            return False
        return True

    def birthday(self, name: str, table: Mapping[str, Any]) -> Birthday | None:
        self.unknown_keys(table, BIRTHDAY_KEYS, f"{name}.")
        title = self.text(f"{name}.name", table.get("name"))
        raw = table.get("date")
        span = self.span(name, table)
        owners = self.owners(name, table)
        month_day: tuple[int, int] | None = None
        born: int | None = None
        if isinstance(raw, date) and not isinstance(raw, datetime):
            month_day, born = (raw.month, raw.day), raw.year
        elif isinstance(raw, str):
            month_day = parse_month_day(raw.strip())
            if month_day is None:
                try:
                    day = date.fromisoformat(raw.strip())
                    month_day, born = (day.month, day.day), day.year
                except ValueError:
                    month_day = None
        if raw is None:
            self.fail(f"{name}.date", 'missing: "MM-DD", or the date of birth')
            return None
        if month_day is None:
            self.fail(f"{name}.date", f'{_show(raw)} is not "MM-DD" or a date like 2016-05-02')
            return None
        if born is not None and not FIRST_DATE.year <= born < END_DATE.year:
            self.fail(f"{name}.date", f"the year must be between {FIRST_DATE.year} and 2199")
            return None
        if span is None:
            return None
        return Birthday(title, month_day[0], month_day[1], span[0], span[1], owners, born)

    def school_break(self, name: str, table: Mapping[str, Any]) -> SchoolBreak | None:
        self.unknown_keys(table, SCHOOL_BREAK_KEYS, f"{name}.")
        title = self.text(f"{name}.name", table.get("name"))
        start = self.moment(f"{name}.start", table.get("start"))
        end = self.moment(f"{name}.end", table.get("end"))
        split_value = table.get("split", "whole")
        split: Split = "whole"
        if split_value == "halves":
            split = "halves"
        elif split_value != "whole":
            self.fail(f"{name}.split", f'{_show(split_value)} is not "whole" or "halves"')
        owners = self.owners(name, table)
        for field_name, value in (("start", start), ("end", end)):
            if value is not None and value.tzinfo is not None:
                self.fail(f"{name}.{field_name}", "write a local date-time, without an offset")
                return None
        if start is None or end is None:
            return None
        if end <= start:
            self.fail(f"{name}.end", f"{_local(end)} is not after the start ({_local(start)})")
            return None
        return SchoolBreak(title, start, end, owners, split)

    def no_overlaps(self, breaks: list[SchoolBreak | None]) -> None:
        seen: list[tuple[int, SchoolBreak]] = []
        for index, item in enumerate(breaks):
            if item is None:
                continue
            for other_index, earlier in seen:
                if item.start < earlier.end and earlier.start < item.end:
                    self.fail(
                        f"school_break[{index}].start",
                        f'overlaps school_break[{other_index}] ("{earlier.name}", '
                        f"{_local(earlier.start)} to {_local(earlier.end)})",
                    )
                    break
            seen.append((index, item))

    def override(self, name: str, table: Mapping[str, Any]) -> Override | None:
        self.unknown_keys(table, OVERRIDE_KEYS, f"{name}.")
        start = self.moment(f"{name}.start", table.get("start"))
        end = self.moment(f"{name}.end", table.get("end"))
        parent = self.letter(f"{name}.parent", table.get("parent"), required=True)
        note = self.text(f"{name}.note", table.get("note"), required=False)
        if start is None or end is None or parent is None or self.zone is None:
            return None
        if _instant(start, self.zone) >= _instant(end, self.zone):
            self.fail(f"{name}.end", f"{_local(end)} is not after the start ({_local(start)})")
            return None
        return Override(start, end, parent, note)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _instant(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _show(value: object) -> str:
    return json.dumps(value) if isinstance(value, str | int | float | bool) else repr(value)


def _local(moment: datetime) -> str:
    text = moment.isoformat(sep=" ", timespec="minutes")
    return text


# --- writing -----------------------------------------------------------------------------


def plan_to_dict(plan: Plan, *, json_safe: bool = False) -> dict[str, Any]:
    """The plan in the file's shape. ``json_safe`` writes dates and date-times as ISO text
    (for a JSON column); ``plan_from_dict`` reads either back to an equal plan."""

    def moment(value: datetime) -> str | datetime:
        return value.isoformat() if json_safe else value

    def day(value: date) -> str | date:
        return value.isoformat() if json_safe else value

    def owners(rule: YearOwners) -> dict[str, str]:
        found = {"odd_years": rule.odd_years, "even_years": rule.even_years}
        return {key: value for key, value in found.items() if value is not None}

    data: dict[str, Any] = {
        "timezone": plan.timezone,
        "parents": list(plan.parents),
        "start": day(plan.start),
        "exchange_time": _clock(plan.exchange_time),
    }
    if plan.pattern is not None:
        data["pattern"] = plan.pattern
    else:
        data["rotation"] = plan.rotation
    if plan.exchange_place:
        data["exchange_place"] = plan.exchange_place
    if plan.country:
        data["country"] = plan.country
    if plan.subdivision:
        data["subdivision"] = plan.subdivision
    if plan.holidays:
        data["holiday"] = [
            {
                "name": rule.name,
                "date": rule.date,
                **({"country": rule.country} if rule.country else {}),
                **({"subdivision": rule.subdivision} if rule.subdivision else {}),
                "start": str(rule.start),
                "end": str(rule.end),
                **owners(rule.owners),
            }
            for rule in plan.holidays
        ]
    if plan.school_breaks:
        data["school_break"] = [
            {
                "name": item.name,
                "start": moment(item.start),
                "end": moment(item.end),
                "split": item.split,
                **owners(item.owners),
            }
            for item in plan.school_breaks
        ]
    if plan.birthdays:
        data["birthday"] = [
            {
                "name": item.name,
                "date": (
                    day(date(item.year, item.month, item.day))
                    if item.year is not None
                    else f"{item.month:02d}-{item.day:02d}"
                ),
                "start": str(item.start),
                "end": str(item.end),
                **owners(item.owners),
            }
            for item in plan.birthdays
        ]
    if plan.overrides:
        data["override"] = [
            {
                "start": moment(item.start),
                "end": moment(item.end),
                "parent": item.parent,
                **({"note": item.note} if item.note else {}),
            }
            for item in plan.overrides
        ]
    return data


def plan_to_toml(plan: Plan) -> str:
    """The plan as a TOML file that ``parse_plan`` reads back to an equal plan."""
    data = plan_to_dict(plan)
    lines: list[str] = []
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, rows in tables:
        for row in rows:
            lines.append("")
            lines.append(f"[[{key}]]")
            lines.extend(f"{name} = {_toml_value(value)}" for name, value in row.items())
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        # JSON's string escapes are all valid in TOML basic strings.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _clock(value: time) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")

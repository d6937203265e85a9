"""Schedule engine figures for `make bench`: (a) expansion, (b) time-share, (d) a peer.

The plan: 2-2-5-5 in Chicago (so every year has two DST changes), 12 holiday rules from the
`holidays` package alternating by year, and 50 overrides, over 18 years. Each figure is the
median of several runs; every run of (a) starts with the holiday-date and compiled-plan caches
emptied, so it includes looking the holidays up.

(d) writes the same schedule as RFC 5545 recurring events (RRULEs in local time, the usual way
a calendar app would hold it) and expands it over the same 18 years with the
`recurring-ical-events` package. The peer only lists occurrences; the engine also resolves
which layer wins, and still has to be faster.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

import icalendar
import recurring_ical_events

from coparent.core.schedule import METHODS, expand_dates, plan_from_dict, timeshare
from coparent.core.schedule.expand import _engine
from coparent.core.schedule.holiday_dates import names_in_year
from coparent.core.schedule.model import Plan
from coparent.core.schedule.patterns import PATTERNS, runs_of
from coparent.core.schedule.timeshare import Window

FIRST, STOP = date(2027, 1, 1), date(2045, 1, 1)  # 18 years
RUNS = 7
ZONE = "America/Chicago"

# (rule name, the name the `holidays` package gives, the same date as an RRULE's BY parts)
HOLIDAYS = [
    ("New Year's Day", "New Year's Day", "BYMONTH=1;BYMONTHDAY=1"),
    ("Martin Luther King Jr. Day", "Martin Luther King Jr. Day", "BYMONTH=1;BYDAY=3MO"),
    ("Presidents' Day", "Washington's Birthday", "BYMONTH=2;BYDAY=3MO"),
    ("Mother's Day", "Mother's Day", "BYMONTH=5;BYDAY=2SU"),
    ("Memorial Day", "Memorial Day", "BYMONTH=5;BYDAY=-1MO"),
    ("Father's Day", "Father's Day", "BYMONTH=6;BYDAY=3SU"),
    ("Independence Day", "Independence Day", "BYMONTH=7;BYMONTHDAY=4"),
    ("Labor Day", "Labor Day", "BYMONTH=9;BYDAY=1MO"),
    ("Halloween", "Halloween", "BYMONTH=10;BYMONTHDAY=31"),
    ("Thanksgiving", "Thanksgiving", "BYMONTH=11;BYDAY=4TH"),
    ("Christmas Eve", "Christmas Eve", "BYMONTH=12;BYMONTHDAY=24"),
    ("Christmas Day", "Christmas Day", "BYMONTH=12;BYMONTHDAY=25"),
]
FIRST_OVERRIDE = datetime.fromisoformat("2027-03-01T09:00:00")  # local, in the plan's zone
OVERRIDES = [
    (FIRST_OVERRIDE + timedelta(days=131 * i), timedelta(days=3, hours=9), "AB"[i % 2])
    for i in range(50)
]


def bench_plan() -> Plan:
    return plan_from_dict(
        {
            "timezone": ZONE,
            "parents": ["Alex", "Sam"],
            "start": date(2027, 1, 4),
            "exchange_time": "18:00",
            "pattern": "2-2-5-5",
            "country": "US",
            "holiday": [
                {
                    "name": name,
                    "date": looked_up,
                    "start": "+0d 09:00",
                    "end": "+1d 09:00",
                    "odd_years": "AB"[i % 2],
                    "even_years": "BA"[i % 2],
                }
                for i, (name, looked_up, _) in enumerate(HOLIDAYS)
            ],
            "override": [
                {"start": start, "end": start + length, "parent": parent, "note": f"Swap {i}"}
                for i, (start, length, parent) in enumerate(OVERRIDES)
            ],
        }
    )


def peer_calendar(plan: Plan) -> icalendar.Calendar:
    """The plan as recurring events: one series per run of the rotation, two per holiday
    (odd and even years), one event per override."""
    zone = plan.zone
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Coparent bench//EN")
    calendar.add("version", "2.0")

    def event(uid: str, start: datetime, end: datetime, summary: str, rule: str = "") -> None:
        item = icalendar.Event()
        item.add("uid", uid)
        item.add("dtstamp", datetime(2027, 1, 1, tzinfo=zone))
        item.add("dtstart", start.replace(tzinfo=zone))
        item.add("dtend", end.replace(tzinfo=zone))
        item.add("summary", summary)
        if rule:
            item.add("rrule", icalendar.vRecur.from_ical(rule))
        calendar.add_component(item)

    cycle = len(PATTERNS["2-2-5-5"])
    for run in runs_of(plan.rotation):
        # A cycle before the plan's start, so the series cover the range's first days too.
        day = plan.start + timedelta(days=run.offset - cycle)
        start = datetime.combine(day, plan.exchange_time)
        end = start + timedelta(days=run.length)
        event(f"run-{run.offset}", start, end, run.letter, f"FREQ=DAILY;INTERVAL={cycle}")
    for i, (name, _, by) in enumerate(HOLIDAYS):
        for year in (2027, 2028):
            first = _first_occurrence(by, year)
            start = datetime.combine(first, datetime.min.time()).replace(hour=9)
            event(
                f"holiday-{i}-{year % 2}",
                start,
                start + timedelta(days=1),
                name,
                f"FREQ=YEARLY;INTERVAL=2;{by}",
            )
    for i, override in enumerate(plan.overrides):
        event(f"override-{i}", override.start, override.end, override.note)
    calendar.add_missing_timezones()
    return calendar


def _first_occurrence(by: str, year: int) -> date:
    """The holiday's date in ``year``, from its RRULE parts (through the peer itself)."""
    probe = icalendar.Calendar()
    item = icalendar.Event()
    item.add("uid", "probe")
    item.add("dtstart", date(year, 1, 1))
    item.add("rrule", icalendar.vRecur.from_ical(f"FREQ=YEARLY;{by}"))
    probe.add_component(item)
    found = recurring_ical_events.of(probe).between(date(year, 1, 1), date(year + 1, 1, 1))
    start: date = found[0]["DTSTART"].dt
    return start


def _median_ms(action: Callable[[], object], before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(RUNS):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _cold() -> None:
    names_in_year.cache_clear()
    _engine.cache_clear()


def _rows() -> list[tuple[str, str, str, bool]]:
    plan = bench_plan()
    expand_dates(plan, FIRST, STOP)  # imports and first-call set-up, outside the figures
    expansion = expand_dates(plan, FIRST, STOP)
    engine_ms = _median_ms(lambda: expand_dates(plan, FIRST, STOP), before=_cold)

    window = Window(plan.zone, FIRST, STOP - timedelta(days=1))
    share_ms = _median_ms(lambda: timeshare(expansion.segments, window))

    calendar = peer_calendar(plan)
    low = datetime.combine(FIRST, datetime.min.time()).replace(tzinfo=plan.zone)
    high = datetime.combine(STOP, datetime.min.time()).replace(tzinfo=plan.zone)
    occurrences = recurring_ical_events.of(calendar).between(low, high)
    assert len(occurrences) > len(expansion.segments) / 2, "the peer's calendar is not the plan's"
    peer_ms = _median_ms(lambda: recurring_ical_events.of(calendar).between(low, high))
    ratio = peer_ms / engine_ms
    return [
        (
            "(a) expand 18 y: 2-2-5-5, 12 holidays, 50 overrides",
            f"{engine_ms:,.1f} ms",
            "≤ 50 ms",
            engine_ms <= 50,
        ),
        (
            f"(b) time-share over 18 years ({len(METHODS)} methods)",
            f"{share_ms:,.1f} ms",
            "≤ 20 ms",
            share_ms <= 20,
        ),
        (
            f"(d) recurring-ical-events ({peer_ms:,.0f} ms) ÷ engine",
            f"{ratio:,.1f}×",
            "> 1×",
            ratio > 1,
        ),
    ]


def run() -> list[tuple[str, str, str]]:
    """(name, figure, target) rows."""
    return [(name, figure, target) for name, figure, target, _ in _rows()]


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    """Print each row with ``line`` (bench/run.py's), and say which targets were met."""
    met = []
    for name, figure, target, ok in _rows():
        line(name, figure, target, ok)
        met.append(ok)
    return met


if __name__ == "__main__":
    for row in run():
        print(*row, sep="   ")

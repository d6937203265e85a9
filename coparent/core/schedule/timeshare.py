"""Time-share: how much of a period each parent has, counted by pluggable methods.

Child-support rules differ in what they count, so each way of counting is a ``CountingMethod``
with a key, a label, a unit and the rule in words (for the page that shows the result). They
live in one registry, ``METHODS``: a jurisdiction's rule is added here, in one place, with
``register``.

Every method takes a list of segments, not a plan, so the same functions count what actually
happened (segments built from check-ins) beside what was planned. Segments must not overlap;
stretches that no segment covers are credited to nobody. Counts are exact (``Fraction``);
rounding happens only when showing them, by ``round_to_total`` and ``percentages``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from math import floor
from typing import TypeVar
from zoneinfo import ZoneInfo

from coparent.core.schedule.expand import expand_dates, instant
from coparent.core.schedule.model import LETTERS, Letter, Plan, Segment

K = TypeVar("K", bound=Hashable)

MICROSECOND = timedelta(microseconds=1)
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


@dataclass(frozen=True, slots=True)
class Window:
    """The local dates [first, stop) in ``zone``: from 00:00 at the start of ``first`` to
    00:00 at the start of ``stop``."""

    zone: ZoneInfo
    first: date
    stop: date

    @property
    def days(self) -> int:
        return (self.stop - self.first).days

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.midnight(self.first), UTC)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.midnight(self.stop), UTC)

    def midnight(self, day: date) -> float:
        return instant(self.zone, day, datetime.min.time())


Counter = Callable[[Sequence[Segment], Window], dict[Letter, Fraction]]


@dataclass(frozen=True, slots=True)
class CountingMethod:
    """One way of counting. ``rule`` says it in words, for people."""

    key: str
    label: str
    unit: str
    rule: str
    count: Counter


METHODS: dict[str, CountingMethod] = {}
"""Every counting method, by key, in the order they were registered."""


def register(method: CountingMethod) -> CountingMethod:
    """Add a counting method (a key can be registered once)."""
    if method.key in METHODS:
        raise ValueError(f"a counting method {method.key!r} is already registered")
    METHODS[method.key] = method
    return method


# --- the methods --------------------------------------------------------------------------


def count_overnights(segments: Sequence[Segment], window: Window) -> dict[Letter, Fraction]:
    """Overnight of date D -> the parent who has the children at 00:00 at the start of D + 1.

    For each segment, the midnights inside it are counted from the first date whose midnight
    falls at or after its start to the first at or after its end, so the work grows with the
    number of segments, not of days.
    """
    midnights: dict[int, float] = {}
    firsts: dict[float, int] = {}
    zone = window.zone

    def first_at_or_after(moment: datetime) -> int:
        """The first date (ordinal) whose midnight is at or after ``moment``."""
        stamp = moment.timestamp()
        found = firsts.get(stamp)  # a segment's end is the next one's start: work it out once
        if found is not None:
            return found
        # Start from the moment's own local date, whose midnight is not after the moment,
        # and step forward: once at most, twice where clocks turned back across midnight.
        ordinal = moment.astimezone(zone).toordinal()
        while True:
            midnight = midnights.get(ordinal)
            if midnight is None:
                midnight = midnights[ordinal] = window.midnight(date.fromordinal(ordinal))
            if midnight >= stamp:
                break
            ordinal += 1
        firsts[stamp] = ordinal
        return ordinal

    low, high = window.first.toordinal() + 1, window.stop.toordinal() + 1  # the D + 1 dates
    counts = dict.fromkeys(LETTERS, 0)
    for segment in segments:
        begin = max(first_at_or_after(segment.start), low)
        finish = min(first_at_or_after(segment.end), high)
        if finish > begin:
            counts[segment.parent] += finish - begin
    return {letter: Fraction(n) for letter, n in counts.items()}


def count_hours(segments: Sequence[Segment], window: Window) -> dict[Letter, Fraction]:
    """Real elapsed hours inside the window (a spring-forward day has 23)."""
    start, end = window.start, window.end
    micros = dict.fromkeys(LETTERS, 0)
    for segment in segments:
        span = min(segment.end, end) - max(segment.start, start)
        if span > timedelta(0):
            micros[segment.parent] += span // MICROSECOND
    return {letter: Fraction(n, HOUR_US) for letter, n in micros.items()}


def partial_day_quarters(micros: int) -> int:
    """Days, in quarters, for one stretch of custody: each full 24 hours is a day, and what is
    left counts 1 from 12 hours, ½ from 6 hours, ¼ from 3 hours, else nothing."""
    days, rest = divmod(micros, DAY_US)
    if rest >= 12 * HOUR_US:
        extra = 4
    elif rest >= 6 * HOUR_US:
        extra = 2
    elif rest >= 3 * HOUR_US:
        extra = 1
    else:
        extra = 0
    return days * 4 + extra


def count_partial_days(segments: Sequence[Segment], window: Window) -> dict[Letter, Fraction]:
    """Days with partial-day credit, per uninterrupted stretch with one parent."""
    start, end = window.start, window.end
    quarters = dict.fromkeys(LETTERS, 0)
    for parent, stretch_start, stretch_end in _stretches(segments):
        span = min(stretch_end, end) - max(stretch_start, start)
        if span > timedelta(0):
            quarters[parent] += partial_day_quarters(span // MICROSECOND)
    return {letter: Fraction(n, 4) for letter, n in quarters.items()}


def _stretches(segments: Iterable[Segment]) -> list[tuple[Letter, datetime, datetime]]:
    """Segments that follow one another with the same parent, joined (whatever their
    sources: a holiday with the parent who had the weekend anyway is one stretch)."""
    joined: list[tuple[Letter, datetime, datetime]] = []
    for segment in sorted(segments, key=lambda s: s.start):
        if joined and joined[-1][0] == segment.parent and joined[-1][2] == segment.start:
            joined[-1] = (segment.parent, joined[-1][1], segment.end)
        else:
            joined.append((segment.parent, segment.start, segment.end))
    return joined


OVERNIGHTS = register(
    CountingMethod(
        key="overnights",
        label="Overnights",
        unit="overnights",
        rule=(
            "Each night of the period counts once, for the parent who has the children at "
            "midnight (00:00 local time at the start of the next day)."
        ),
        count=count_overnights,
    )
)
HOURS = register(
    CountingMethod(
        key="hours",
        label="Hours",
        unit="hours",
        rule=(
            "Real elapsed hours with each parent (a day when the clocks go forward has 23 "
            "hours, one when they go back has 25)."
        ),
        count=count_hours,
    )
)
PARTIAL_DAYS = register(
    CountingMethod(
        key="days",
        label="Days with partial-day credit",
        unit="days",
        rule=(
            "For each uninterrupted stretch with one parent, each full 24 hours is a day; "
            "what is left counts as a whole day from 12 hours, half a day from 6 hours, a "
            "quarter of a day from 3 hours, and nothing under 3 hours."
        ),
        count=count_partial_days,
    )
)


# --- results and rounding -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """One method's exact counts per parent."""

    method: CountingMethod
    counts: dict[Letter, Fraction]

    @property
    def total(self) -> Fraction:
        return sum(self.counts.values(), Fraction(0))

    def rounded(self, places: int = 2) -> dict[Letter, float]:
        return round_to_total(self.counts, places)

    def percentages(self, places: int = 2) -> dict[Letter, float]:
        return percentages(self.counts, places)


@dataclass(frozen=True, slots=True)
class TimeShare:
    window: Window
    tallies: dict[str, Tally]

    def __getitem__(self, key: str) -> Tally:
        return self.tallies[key]


def timeshare(
    segments: Sequence[Segment], window: Window, methods: Sequence[str] | None = None
) -> TimeShare:
    """Count ``segments`` (planned or actual) over ``window`` by each method (all registered
    methods by default). To count the last night, segments must reach past ``window.end``."""
    keys = list(METHODS) if methods is None else list(methods)
    unknown = [key for key in keys if key not in METHODS]
    if unknown:
        raise KeyError(f"unknown counting method(s): {', '.join(unknown)}")
    return TimeShare(
        window, {key: Tally(METHODS[key], METHODS[key].count(segments, window)) for key in keys}
    )


def plan_timeshare(
    plan: Plan, first: date, stop: date, methods: Sequence[str] | None = None
) -> TimeShare:
    """The planned time-share over the local dates [first, stop)."""
    if stop < first:
        raise ValueError("the period ends before it starts")
    # One day more than the window: the last date's overnight is decided at 00:00 on ``stop``.
    segments = expand_dates(plan, first, stop + timedelta(days=1)).segments
    return timeshare(segments, Window(plan.zone, first, stop), methods)


def round_to_total(
    values: Mapping[K, Fraction], places: int = 2, total: Fraction | None = None
) -> dict[K, float]:
    """Round each value to ``places`` decimals so that the rounded values add up to the
    rounded total (largest remainders get the last units; ties go to the earlier key)."""
    scale = 10**places
    whole = sum(values.values(), Fraction(0)) if total is None else total
    exact = {key: value * scale for key, value in values.items()}
    floors = {key: floor(value) for key, value in exact.items()}
    missing = round(whole * scale) - sum(floors.values())
    order = sorted(exact, key=lambda key: exact[key] - floors[key], reverse=True)
    for key in order[: max(missing, 0)]:
        floors[key] += 1
    return {key: floors[key] / scale for key in values}


def percentages(values: Mapping[K, Fraction], places: int = 2) -> dict[K, float]:
    """Each value's share of their sum in percent, adding up to exactly 100 (all 0 when the
    sum is 0)."""
    whole = sum(values.values(), Fraction(0))
    if whole == 0:
        return dict.fromkeys(values, 0.0)
    return round_to_total(
        {key: value * 100 / whole for key, value in values.items()}, places, Fraction(100)
    )

"""What a plan change changes: the same local dates under the schedule before and after it.

A parent asked to accept a new plan wants to know what it means for the children's nights, not
to compare two sets of rules: which nights move from one parent to the other, which exchanges
appear or disappear, and how each parent's share of the nights moves. ``compare`` answers that
from two lists of custody segments (and their exchanges) over one window, so it works the same
for a whole stitched schedule (several accepted versions) as for one plan.

A day's parent is its overnight's (the one who has the children at 00:00 at the start of the
next day), as the time-share counts it, so the nights counted here add up to the overnights of
``count_overnights`` exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from coparent.core.schedule.model import LETTERS, Exchange, Letter, Segment
from coparent.core.schedule.timeshare import Window, count_overnights


@dataclass(frozen=True, slots=True)
class DayChange:
    """The night of ``day`` went to ``before`` and goes to ``after`` (None: nobody, outside
    any plan, as before a family's first plan)."""

    day: date
    before: Letter | None
    after: Letter | None


@dataclass(frozen=True, slots=True)
class PlanChanges:
    """The differences over the local dates [window.first, window.stop)."""

    window: Window
    days: tuple[DayChange, ...]
    """Each night whose parent changes, in date order."""
    added: tuple[Exchange, ...]
    """Exchanges of the new schedule that the old one does not have (same instant and
    direction), in time order; ``removed`` the other way round."""
    removed: tuple[Exchange, ...]
    before: dict[Letter, int]
    """Each parent's overnights in the window, before and after."""
    after: dict[Letter, int]

    @property
    def unchanged(self) -> bool:
        return not (self.days or self.added or self.removed)

    @property
    def months(self) -> tuple[date, ...]:
        """The first day of each month with a night that changes, in order."""
        return tuple(sorted({date(c.day.year, c.day.month, 1) for c in self.days}))

    def moved(self, before: Letter | None, after: Letter | None) -> int:
        """How many nights go from ``before`` to ``after``."""
        return sum(1 for c in self.days if c.before == before and c.after == after)

    def in_month(self, month: date) -> tuple[DayChange, ...]:
        return tuple(c for c in self.days if (c.day.year, c.day.month) == (month.year, month.month))


def nights(segments: Sequence[Segment], window: Window) -> list[Letter | None]:
    """The overnight parent of each local date of the window, None where no segment covers the
    midnight after it. ``segments`` are in order and do not overlap (as the engine gives them)."""
    starts = [s.start for s in segments]
    found: list[Letter | None] = []
    for index in range(window.days):
        day = window.first + timedelta(days=index + 1)
        midnight = datetime.fromtimestamp(window.midnight(day), UTC)
        position = bisect_right(starts, midnight) - 1
        if position >= 0 and segments[position].end > midnight:
            found.append(segments[position].parent)
        else:
            found.append(None)
    return found


def _in_window(exchanges: Sequence[Exchange], window: Window) -> dict[tuple[object, ...], Exchange]:
    start, end = window.start, window.end
    return {(x.at, x.from_parent, x.to_parent): x for x in exchanges if start <= x.at < end}


def _whole(counts: dict[Letter, Fraction]) -> dict[Letter, int]:
    return {letter: int(counts[letter]) for letter in LETTERS}


def compare(
    before: Sequence[Segment],
    before_exchanges: Sequence[Exchange],
    after: Sequence[Segment],
    after_exchanges: Sequence[Exchange],
    window: Window,
) -> PlanChanges:
    """The changes from the ``before`` schedule to the ``after`` one over ``window``. Both
    lists of segments must reach 00:00 after the window's last date for its last night to
    count (as for the time-share)."""
    old, new = nights(before, window), nights(after, window)
    days = tuple(
        DayChange(window.first + timedelta(days=index), was, becomes)
        for index, (was, becomes) in enumerate(zip(old, new, strict=True))
        if was != becomes
    )
    old_exchanges = _in_window(before_exchanges, window)
    new_exchanges = _in_window(after_exchanges, window)
    added = tuple(
        x for key, x in sorted(new_exchanges.items(), key=_when) if key not in old_exchanges
    )
    removed = tuple(
        x for key, x in sorted(old_exchanges.items(), key=_when) if key not in new_exchanges
    )
    return PlanChanges(
        window=window,
        days=days,
        added=added,
        removed=removed,
        before=_whole(count_overnights(before, window)),
        after=_whole(count_overnights(after, window)),
    )


def _when(item: tuple[tuple[object, ...], Exchange]) -> datetime:
    return item[1].at

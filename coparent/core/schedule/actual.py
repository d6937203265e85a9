"""Actual custody: the planned segments, moved by what happened at each exchange.

The engine says who was to have the children (rotation, holidays, swaps and trips already in
as overrides); the outcomes (``outcome.py``) say what happened at each exchange. Walking the
planned exchanges in order, with "who has the children" as the only state:

- an exchange **on time**, **changed** by an approved request, or with **no outcome** (nobody
  checked in: no news is the plan kept) passes the children at its planned instant;
- a **late** one passes them at the completing tap, so the parent handing over keeps them
  until then;
- a **missed** one passes nothing: the children stay with whoever had them until the next
  exchange that actually happened (in practice, until the plan gives them back to that
  parent, when the two agree again), or until the point the parents stated they went;
- a **pending** one (due or overdue at ``now``) has passed nothing yet.

What happened is known only up to ``now``, so actual segments end there (or at the planned
range's end, if earlier): the future is the plan's, and nothing here pretends otherwise. The
comparison with the plan counts both over the same stretch.

Each stretch where the children were not with the planned parent is a ``Difference``, tied to
the exchange where it began, with the reason in words for the time-share page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Literal
from zoneinfo import ZoneInfo

from coparent.core.schedule.model import LETTERS, Exchange, Letter, Segment, Source
from coparent.core.schedule.outcome import Kind, Outcome, late_minutes, utc
from coparent.core.schedule.timeshare import TimeShare, Window, timeshare
from coparent.core.when import format_clock, format_moment, in_zone

Why = Literal["missed", "late", "pending"]

LABELS: Mapping[Why, str] = {
    "missed": "missed exchange",
    "late": "late handover",
    "pending": "handover not recorded yet",
}
"""The name an actual segment carries where it departs from the plan (where it follows the
plan, it carries the planned layer's label: "rotation", "Christmas", a swap's note)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """The children were with ``kept_by`` during [start, end) where the plan had ``planned``,
    because of what happened at ``exchange`` (``why``)."""

    exchange: Exchange
    why: Why
    start: datetime
    end: datetime
    kept_by: Letter
    planned: Letter
    minutes_late: int | None = None
    ongoing: bool = False
    """It reaches ``now``: the children are still with ``kept_by``, so ``end`` is not when
    the stretch ended but how far anything is known."""

    def reason(self, names: tuple[str, str], zone: ZoneInfo, locale: str = "en") -> str:
        """The difference in words, in ``zone`` and ``locale``: "Missed exchange on Fri, Jun 4,
        5:00 PM — the children stayed with Alex until Fri, Jun 11, 5:00 PM." """
        keeper = names[LETTERS.index(self.kept_by)]
        when = format_moment(self.exchange.at, zone, locale, style="weekday")
        if in_zone(self.start, zone).date() == in_zone(self.end, zone).date():
            until = format_clock(self.end, locale, zone)
        else:
            until = format_moment(self.end, zone, locale, style="weekday")
        if self.why == "missed" and self.ongoing:
            return f"Missed exchange on {when} — the children are still with {keeper}."
        if self.why == "missed":
            return f"Missed exchange on {when} — the children stayed with {keeper} until {until}."
        if self.why == "late":
            late = f"{self.minutes_late} minute{'' if self.minutes_late == 1 else 's'} late"
            return (
                f"Late handover on {when} ({late}) — the children were with {keeper} until {until}."
            )
        return f"Exchange on {when} not recorded yet — the children are with {keeper} so far."


@dataclass(frozen=True, slots=True)
class Actual:
    """Actual custody over [start, end): segments (source kind "actual") in order with no gap,
    the differences from the plan in order, and the outcomes that matched no planned exchange
    in the range (an exchange a request moved away, one outside the range): shown, not used."""

    start: datetime
    end: datetime
    segments: tuple[Segment, ...]
    differences: tuple[Difference, ...]
    ignored: tuple[Outcome, ...]


def planned_exchanges(segments: Sequence[Segment]) -> list[Exchange]:
    """The exchanges between consecutive planned segments (where the parent changes)."""
    return [
        Exchange(utc(after.start), before.parent, after.parent, after.source)
        for before, after in zip(segments, segments[1:], strict=False)
        if before.parent != after.parent
    ]


def actual_custody(
    planned: Sequence[Segment],
    found: Iterable[Outcome],
    *,
    now: datetime,
    stated: Mapping[datetime, datetime] | None = None,
) -> Actual:
    """Actual custody from the planned segments (an expansion's, in order with no gap) and the
    outcomes of its exchanges, as far as ``now``.

    ``stated`` gives, for a missed exchange (by its planned instant), the point at which the
    children did go to the parent it was for, when the parents recorded one (Sam collected
    them on Wednesday morning instead): the children stay with the other parent until then,
    not until the next exchange. A stated point before the missed exchange or after the next
    one is not used.

    An outcome matches the planned exchange at its instant with the same two parents. An
    exchange at the range's very start is the plan's (the range's first instant follows the
    plan), so start the range where nothing from before is still in play.
    """
    segments = _checked(planned)
    start = utc(segments[0].start)
    end = max(start, min(utc(segments[-1].end), utc(now)))
    exchanges = planned_exchanges(segments)
    by_key = {(e.at, e.from_parent, e.to_parent): e for e in exchanges}
    matched: dict[datetime, Outcome] = {}
    ignored: list[Outcome] = []
    for given in found:
        key = (utc(given.exchange.at), given.exchange.from_parent, given.exchange.to_parent)
        if key in by_key and start < key[0]:
            matched[key[0]] = given
        else:
            ignored.append(given)

    # Who has the children from when: (instant, order, parent). The order keeps a late
    # completion before a planned exchange at the same instant.
    moves: list[tuple[datetime, int, Letter]] = []
    causes: dict[datetime, tuple[Exchange, Why, int | None]] = {}
    for index, exchange in enumerate(exchanges):
        following = exchanges[index + 1].at if index + 1 < len(exchanges) else None
        item = matched.get(exchange.at)
        if item is None or item.kind is Kind.CHANGED:
            # No news is the plan kept; and a changed exchange is already in the plan.
            moves.append((exchange.at, index, exchange.to_parent))
            continue
        passed = item.completed_at
        if passed is not None and following is not None and passed > following:
            passed = None  # too late to be this handover: the next one was already due
        if passed is None:
            causes[exchange.at] = (exchange, "missed" if item.settled else "pending", None)
            point = stated.get(exchange.at) if stated and item.settled else None
            if point is not None and utc(point) > exchange.at:
                if following is None or utc(point) <= following:
                    moves.append((utc(point), index, exchange.to_parent))
            continue
        moves.append((max(passed, exchange.at), index, exchange.to_parent))
        if passed > exchange.at:
            causes[exchange.at] = (exchange, "late", late_minutes(exchange.at, passed))
    moves.sort()

    cuts = sorted(
        {start, end}
        | {utc(s.start) for s in segments if start < utc(s.start) < end}
        | {at for at, _, _ in moves if start < at < end}
    )
    pieces: list[tuple[datetime, datetime, Letter, Letter, Source]] = []
    holder, done, where = segments[0].parent, 0, 0
    for low, high in zip(cuts, cuts[1:], strict=False):
        while done < len(moves) and moves[done][0] <= low:
            holder = moves[done][2]
            done += 1
        while utc(segments[where].end) <= low:
            where += 1
        plan = segments[where]
        pieces.append((low, high, holder, plan.parent, plan.source))

    result: list[Segment] = []
    differences: list[Difference] = []
    cause: tuple[Exchange, Why, int | None] | None = None
    for low, high, holder, parent, source in pieces:
        if holder == parent:
            cause = None
            name = source.label
        else:
            if cause is None:
                cause = causes.get(low) or _latest_cause(causes, low)
                exchange, why, minutes = cause
                differences.append(Difference(exchange, why, low, high, holder, parent, minutes))
            else:
                differences[-1] = replace(differences[-1], end=high)
            name = LABELS[cause[1]]
        if result and result[-1].parent == holder and result[-1].source.name == name:
            result[-1] = Segment(result[-1].start, high, holder, result[-1].source)
        else:
            result.append(Segment(low, high, holder, Source("actual", name)))
    if differences and differences[-1].end == end and end < utc(segments[-1].end):
        differences[-1] = replace(differences[-1], ongoing=True)
    return Actual(start, end, tuple(result), tuple(differences), tuple(ignored))


def _checked(planned: Sequence[Segment]) -> list[Segment]:
    segments = sorted(planned, key=lambda s: utc(s.start))
    if not segments:
        raise ValueError("actual custody needs the planned segments of a range")
    for before, after in zip(segments, segments[1:], strict=False):
        if utc(before.end) != utc(after.start):
            raise ValueError("the planned segments must follow one another with no gap")
    return segments


def _latest_cause(
    causes: Mapping[datetime, tuple[Exchange, Why, int | None]], moment: datetime
) -> tuple[Exchange, Why, int | None]:
    """The departure from the plan that began last at or before ``moment`` (a stretch where the
    two disagree always starts at a planned exchange, but the guard costs nothing)."""
    earlier = [at for at in causes if at <= moment]
    if not earlier:
        raise AssertionError("a difference from the plan with no exchange behind it")
    return causes[max(earlier)]


# --- planned beside actual ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """The time-share planned and actual over ``window``, both counted only up to ``through``
    (the end of what is known), and the differences that touch the window."""

    window: Window
    through: datetime
    planned: TimeShare
    actual: TimeShare
    differences: tuple[Difference, ...]

    def moved(self, method: str) -> dict[Letter, Fraction]:
        """Actual minus planned per parent, by ``method`` ("Alex +1 overnight")."""
        planned, actual = self.planned[method].counts, self.actual[method].counts
        return {letter: actual[letter] - planned[letter] for letter in LETTERS}


def compare(
    planned: Sequence[Segment],
    actual: Actual,
    window: Window,
    methods: Sequence[str] | None = None,
) -> Comparison:
    """Planned and actual time-share over ``window``. The planned segments are cut where the
    actual ones end, so a period that runs past today compares like with like."""
    through = actual.end
    cut = [
        Segment(s.start, min(utc(s.end), through), s.parent, s.source)
        for s in planned
        if utc(s.start) < through
    ]
    touching = tuple(d for d in actual.differences if d.start < window.end and d.end > window.start)
    return Comparison(
        window,
        through,
        timeshare(cut, window, methods),
        timeshare(actual.segments, window, methods),
        touching,
    )

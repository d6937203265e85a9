"""What happened at an exchange: on time, late by N minutes, missed, pending or changed.

Pure rules over instants. An exchange (from the engine: an instant, who hands over, who
receives) and the check-ins recorded for it (a step, the parent who tapped it, the server's
instant) give an ``Outcome`` as of a moment ``now``. Everything is compared in UTC, so a clock
change between the planned time and a check-in, or parents living in different zones, change
nothing: 15 minutes are 15 real minutes. Writing an outcome in someone's zone is the caller's
job (``coparent.core.when``).

The rules (docs/schedules.md, "Exchanges and check-ins", says the same for people):

- **What completes a handover.** ``handed_over`` tapped by the parent who hands over, or
  ``received`` tapped by the parent who receives; the earliest such tap counts. Either parent's
  tap is evidence that the children passed, so neither can hold the other's record hostage by
  tapping late; and since the server stamps each tap, nobody can tap in the past. A tap of the
  wrong role (the receiver tapping "handed over") does not complete anything, and ``arrived``
  never does: being at the gate is not a handover. A parent who disputes the other's tap says
  so in an incident note; the outcome does not guess.
- **On time** when the completion is at or before the planned instant plus the grace window
  (15 minutes by default; a completion exactly at the end of the window is on time, as is an
  early one). **Late by N minutes** after that, N counted from the planned instant and rounded
  up to whole minutes, so 15 minutes and 1 second is "late by 16 minutes", never a "late by 15"
  that reads like on time.
- **Missed** when nothing completed the handover by the cut-off: 24 hours after the planned
  instant (the furthest a check-in may be from its exchange), or the next planned exchange if
  that comes first, since from then on the children are due to move again. A completion
  exactly at the cut-off still counts; taps after it are kept on the record but do not count.
- **Pending** until then: ``upcoming`` before the planned instant, ``due`` within the grace
  window, ``overdue`` after it (with the minutes so far).
- **Changed** when an approved request moved the exchange (``changed=True``): whatever was
  tapped for it, the plan itself no longer has it.

Check-ins stamped after ``now`` are ignored, so an outcome "as of" any past moment (a report,
a replay) is what the parents saw then.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from coparent.core.schedule.model import LETTERS, Exchange, Letter

Step = Literal["arrived", "handed_over", "received"]
STEPS: tuple[Step, ...] = ("arrived", "handed_over", "received")

GRACE = timedelta(minutes=15)
"""The default grace window: a handover completed within it is on time."""

MISS_AFTER = timedelta(hours=24)
"""How long after the planned instant a handover may still complete (unless the next planned
exchange comes first): the same day's reach within which the check-in pages accept a tap, so
every tap they accept can count."""

MINUTE = timedelta(minutes=1)


class Kind(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    PENDING = "pending"
    CHANGED = "changed"


SETTLED = frozenset({Kind.ON_TIME, Kind.LATE, Kind.MISSED, Kind.CHANGED})
"""Outcomes that can no longer change as time passes (pending ones can)."""

Phase = Literal["upcoming", "due", "overdue"]


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One tap at an exchange: ``step`` by ``parent`` at the server's instant ``at`` (aware)."""

    step: Step
    parent: Letter
    at: datetime


@dataclass(frozen=True, slots=True)
class Rules:
    """The family's exchange rules that decide outcomes (defaults: 15 minutes' grace, missed
    after 24 hours)."""

    grace: timedelta = GRACE
    miss_after: timedelta = MISS_AFTER

    def __post_init__(self) -> None:
        if self.grace < timedelta(0):
            raise ValueError("the grace window cannot be negative")
        if self.miss_after <= self.grace:
            raise ValueError("the cut-off for a missed exchange must come after the grace window")


DEFAULT_RULES = Rules()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The outcome of ``exchange`` as of ``now``.

    ``completion`` is the tap that completed the handover (None when nothing did, by the
    cut-off and by ``now``); ``minutes_late`` is set for a late one and, so far, for an overdue
    pending one. ``arrivals`` is each parent's first "arrived" tap, shown beside the outcome
    ("Alex arrived 5:55 PM") but never deciding it.
    """

    exchange: Exchange
    kind: Kind
    cutoff: datetime
    completion: CheckIn | None = None
    minutes_late: int | None = None
    phase: Phase | None = None
    arrivals: Mapping[Letter, datetime] = field(default_factory=dict, hash=False)

    @property
    def settled(self) -> bool:
        return self.kind in SETTLED

    @property
    def completed_at(self) -> datetime | None:
        """When the children passed, for actual custody: the planned instant for an on-time
        handover (a few minutes either way is the plan kept), the completion for a late one,
        None otherwise."""
        if self.kind is Kind.ON_TIME:
            return utc(self.exchange.at)
        if self.kind is Kind.LATE and self.completion is not None:
            return self.completion.at
        return None


def utc(moment: datetime) -> datetime:
    """The instant in UTC. Aware arithmetic in one ``ZoneInfo`` is wall-clock arithmetic (PEP
    495): 01:50 + 15 minutes on a fall-back night would skip the repeated hour. In UTC it is
    real time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("instants must be aware datetimes")
    return moment.astimezone(UTC)


def cutoff(
    exchange: Exchange, rules: Rules = DEFAULT_RULES, next_at: datetime | None = None
) -> datetime:
    """The last instant at which a handover can still complete: ``miss_after`` after the planned
    instant, or the next planned exchange if that is earlier."""
    limit = utc(exchange.at) + rules.miss_after
    if next_at is not None and utc(next_at) > utc(exchange.at):
        limit = min(limit, utc(next_at))
    return limit


def completes(check_in: CheckIn, exchange: Exchange) -> bool:
    """Whether the tap completes the handover: the giver's "handed over" or the receiver's
    "received"."""
    return (check_in.step == "handed_over" and check_in.parent == exchange.from_parent) or (
        check_in.step == "received" and check_in.parent == exchange.to_parent
    )


def late_minutes(planned: datetime, moment: datetime) -> int:
    """Whole minutes from ``planned`` to ``moment``, any part of a minute counting as one."""
    late = utc(moment) - utc(planned)
    return max(0, -(-late // MINUTE))


def outcome(
    exchange: Exchange,
    check_ins: Iterable[CheckIn],
    now: datetime,
    *,
    rules: Rules = DEFAULT_RULES,
    next_at: datetime | None = None,
    changed: bool = False,
) -> Outcome:
    """The outcome of ``exchange`` as of ``now`` from the taps recorded for it.

    ``next_at`` is the next planned exchange (which brings the cut-off forward when it comes
    within ``rules.miss_after``); ``changed`` says an approved request moved this exchange.
    """
    planned, now = utc(exchange.at), utc(now)
    limit = cutoff(exchange, rules, next_at)
    seen = sorted(
        (CheckIn(c.step, c.parent, utc(c.at)) for c in check_ins if utc(c.at) <= now),
        key=lambda c: (c.at, STEPS.index(c.step), c.parent),
    )
    arrivals: dict[Letter, datetime] = {}
    for tap in seen:
        if tap.step == "arrived":
            arrivals.setdefault(tap.parent, tap.at)
    base = Outcome(exchange, Kind.PENDING, limit, arrivals=arrivals)
    if changed:
        return replace(base, kind=Kind.CHANGED, phase=None)
    completion = next((c for c in seen if completes(c, exchange) and c.at <= limit), None)
    if completion is not None:
        if completion.at <= planned + rules.grace:
            return replace(base, kind=Kind.ON_TIME, completion=completion)
        minutes = late_minutes(planned, completion.at)
        return replace(base, kind=Kind.LATE, completion=completion, minutes_late=minutes)
    if now > limit:
        return replace(base, kind=Kind.MISSED)
    if now < planned:
        return replace(base, phase="upcoming")
    if now <= planned + rules.grace:
        return replace(base, phase="due")
    return replace(base, phase="overdue", minutes_late=late_minutes(planned, now))


def outcomes(
    exchanges: Iterable[Exchange],
    check_ins: Mapping[datetime, Iterable[CheckIn]],
    now: datetime,
    *,
    rules: Rules = DEFAULT_RULES,
    changed: Iterable[datetime] = (),
) -> list[Outcome]:
    """The outcome of each exchange (in order), each exchange's cut-off brought forward by the
    one after it. ``check_ins`` and ``changed`` are keyed by the exchange's planned instant."""
    ordered = sorted(exchanges, key=lambda e: utc(e.at))
    taps = {utc(at): list(found) for at, found in check_ins.items()}
    moved = {utc(at) for at in changed}
    result: list[Outcome] = []
    for index, exchange in enumerate(ordered):
        at = utc(exchange.at)
        following = ordered[index + 1].at if index + 1 < len(ordered) else None
        result.append(
            outcome(
                exchange,
                taps.get(at, ()),
                now,
                rules=rules,
                next_at=following,
                changed=at in moved,
            )
        )
    return result


# --- the month summary ------------------------------------------------------------------


Role = Literal["handing_over", "receiving"]
COUNTED: tuple[Kind, ...] = (Kind.ON_TIME, Kind.LATE, Kind.MISSED)


@dataclass(frozen=True, slots=True)
class Summary:
    """Settled exchanges of a period per parent and role: ``counts[parent][role][kind]`` for
    on time, late and missed. A late or missed exchange is counted for both parents, each in
    their role: the outcome says what happened, not whose fault it was (the notes say that)."""

    counts: Mapping[Letter, Mapping[Role, Mapping[Kind, int]]]
    changed: int
    pending: int

    def total(self, parent: Letter, kind: Kind) -> int:
        """Exchanges of ``kind`` in which ``parent`` took part, in either role."""
        return sum(self.counts[parent][role][kind] for role in ("handing_over", "receiving"))


def summarize(found: Iterable[Outcome]) -> Summary:
    """Count outcomes per parent and role (changed and pending ones only as totals)."""
    counts: dict[Letter, dict[Role, dict[Kind, int]]] = {
        letter: {role: dict.fromkeys(COUNTED, 0) for role in ("handing_over", "receiving")}
        for letter in LETTERS
    }
    changed = pending = 0
    for item in found:
        if item.kind is Kind.CHANGED:
            changed += 1
        elif item.kind is Kind.PENDING:
            pending += 1
        else:
            counts[item.exchange.from_parent]["handing_over"][item.kind] += 1
            counts[item.exchange.to_parent]["receiving"][item.kind] += 1
    return Summary(counts, changed, pending)


def month_summary(found: Iterable[Outcome], zone: ZoneInfo, year: int, month: int) -> Summary:
    """The summary of the exchanges planned in a calendar month of ``zone`` (the family's)."""
    first = date(year, month, 1)
    return summarize(
        item
        for item in found
        if (local := utc(item.exchange.at).astimezone(zone)).year == first.year
        and local.month == first.month
    )

"""Insights: how the family's months went, counted from what is already recorded.

Four figures, each per calendar month of the family's zone (docs/insights.md):

- **reply times**: how long each parent took to answer the other in a conversation (the
  median, and how many replies it is taken over);
- **punctuality**: each parent's exchanges on time, late and missed (the exchanges' own
  outcomes, coparent.core.schedule.outcome);
- **time-share**: the overnights the plan gave each parent beside those they actually had
  (coparent.core.schedule.actual);
- **the reader's own tone**: how many of the messages *they* sent the tone coach would have
  flagged. Only ever the reader's own texts: the other parent's wording is never counted here,
  and a professional (who writes no parent's messages) has no tone figure at all.

Nothing is stored: the page and the API read the facts and count. The coach's verdict is not
kept when a message is sent, so the tone figure runs the pure coach over the reader's own
texts of the period, at most TONE_LIMIT of them, the latest first.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.schedule import outcome as outcomes
from coparent.core.schedule.actual import actual_custody, compare
from coparent.core.schedule.model import LETTERS, Letter, Segment
from coparent.core.schedule.timeshare import Window
from coparent.core.tone import analyse
from coparent.exchanges.selectors import exchanges_between, parent_seats
from coparent.families.selectors import FamilyAccess
from coparent.infra.errors import DomainError
from coparent.messaging.models import Message
from coparent.schedule.selectors import add_months, schedule_of

# A period is at most a year (366 days): twelve calendar months, and bounded work.
MAX_DAYS = 366
# The tone figure reads at most this many of the reader's own messages (the latest): the coach
# takes about a millisecond a text, so a page stays well under a second.
TONE_LIMIT = 400
# A reply at the start of the period may answer a message sent a little before it.
REPLY_LOOKBACK = timedelta(days=31)


def default_period(zone: ZoneInfo, now: datetime | None = None) -> tuple[date, date]:
    """The last twelve months: from the first of the month eleven months ago to the first of
    next month (this month included), local dates of `zone`."""
    today = (now or timezone.now()).astimezone(zone).date()
    this_month = today.replace(day=1)
    return add_months(this_month, -11), add_months(this_month, 1)


def period_of(
    zone: ZoneInfo,
    start: date | None,
    end: date | None,
    *,
    now: datetime | None = None,
    end_field: str = "end",
) -> tuple[date, date]:
    """The period [first, stop) asked for, with what was left out filled in: neither, the last
    twelve months; only a start, a year from it; only an end, the year before it. A
    DomainError on `end_field` (the API's `to`) for an end not after the start or a period
    over MAX_DAYS (the form checks the same first, to show it beside its field)."""
    if start is None and end is None:
        return default_period(zone, now)
    if start is not None:
        first, stop = start, end or start + timedelta(days=365)
    else:
        assert end is not None  # noqa: S101 - neither was handled above
        first, stop = end - timedelta(days=365), end
    if stop <= first:
        raise DomainError(_("The end must come after the start."), field=end_field)
    if (stop - first).days > MAX_DAYS:
        raise DomainError(_("Choose a period of at most a year."), field=end_field)
    return first, stop


def months_of(first: date, stop: date) -> list[tuple[date, date, date]]:
    """(month, first day in the period, day after the last in the period) for each calendar
    month that [first, stop) touches."""
    found = []
    month = first.replace(day=1)
    while month < stop:
        following = add_months(month, 1)
        found.append((month, max(month, first), min(following, stop)))
        month = following
    return found


@dataclass(frozen=True)
class ReplyMonth:
    month: date
    # Per parent letter: the median minutes to answer the other parent (None: no reply that
    # month), and how many replies that is over.
    median_minutes: dict[Letter, int | None]
    replies: dict[Letter, int]


@dataclass(frozen=True)
class PunctualityMonth:
    month: date
    # Per parent letter, the exchanges they took part in (handing over or receiving).
    on_time: dict[Letter, int]
    late: dict[Letter, int]
    missed: dict[Letter, int]

    def settled(self, letter: Letter) -> int:
        return self.on_time[letter] + self.late[letter] + self.missed[letter]

    def on_time_percent(self, letter: Letter) -> int | None:
        settled = self.settled(letter)
        return round(100 * self.on_time[letter] / settled) if settled else None


@dataclass(frozen=True)
class ShareMonth:
    month: date
    # Overnights per parent letter, planned and as they happened, counted as far as what is
    # known (now); None for a month that has not begun.
    planned: dict[Letter, int] | None
    actual: dict[Letter, int] | None

    @staticmethod
    def _percent(counts: dict[Letter, int] | None) -> int | None:
        if not counts or not sum(counts.values()):
            return None
        return round(100 * counts["A"] / sum(counts.values()))

    @property
    def planned_percent_a(self) -> int | None:
        """Parent A's share of the month's overnights in the plan, in percent."""
        return self._percent(self.planned)

    @property
    def actual_percent_a(self) -> int | None:
        return self._percent(self.actual)


@dataclass(frozen=True)
class ToneMonth:
    month: date
    sent: int
    caution: int
    hostile: int

    @property
    def flagged(self) -> int:
        return self.caution + self.hostile

    @property
    def flagged_percent(self) -> int | None:
        return round(100 * self.flagged / self.sent) if self.sent else None


@dataclass(frozen=True)
class Tone:
    """The reader's own tone trend. `limited`: they sent more than TONE_LIMIT messages in the
    period, so only the latest TONE_LIMIT were read, and the months before `read_from` are
    not counted (None in `months`)."""

    months: list[ToneMonth | None]
    limited: bool
    read_from: datetime | None


@dataclass(frozen=True)
class Insights:
    first: date
    stop: date  # not included
    zone: ZoneInfo
    names: tuple[str, str]  # parent A's and parent B's
    months: list[date]
    replies: list[ReplyMonth]
    punctuality: list[PunctualityMonth]
    shares: list[ShareMonth]
    through: datetime  # what happened is known up to here
    tone: Tone | None  # None: not the reader's to see (not a parent)

    @property
    def letters(self) -> tuple[Letter, Letter]:
        return LETTERS


def family_insights(
    access: FamilyAccess,
    first: date,
    stop: date,
    zone: ZoneInfo,
    *,
    now: datetime | None = None,
) -> Insights:
    """The insights of the local dates [first, stop) for the member of `access`: parents and
    consented professionals (403 for a viewer). The tone figure is the reader's own and only
    a parent's. At most ten queries, whatever the number of messages and exchanges: the
    parents, the messages' times, the exchanges (five) and the plan (one), and the reader's
    own texts."""
    access.require_shared()
    now = now or timezone.now()
    window = Window(zone, first, stop)
    seats = parent_seats(access)  # 1 query
    letters: dict[int, Letter] = {
        user.pk: letter  # type: ignore[misc]  # "A" and "B", the seats' keys
        for letter, user in seats.items()
        if user is not None
    }
    names = _names(seats)
    months = months_of(first, stop)
    replies = _replies(access, letters, window, zone, months)  # 1 query
    punctuality, shares, through = _exchanges(access, window, zone, months, now)  # 6 queries
    tone = _tone(access, window, zone, months) if access.is_parent else None  # 1 query
    return Insights(
        first=first,
        stop=stop,
        zone=zone,
        names=names,
        months=[month for month, _low, _high in months],
        replies=replies,
        punctuality=punctuality,
        shares=shares,
        through=through,
        tone=tone,
    )


def _names(seats: dict[str, User | None]) -> tuple[str, str]:
    found = [
        (user.display_name or user.email) if user is not None else placeholder
        for user, placeholder in zip(
            (seats["A"], seats["B"]), (_("First parent"), _("Second parent")), strict=True
        )
    ]
    if found[0].casefold() == found[1].casefold():
        found[1] = f"{found[1]} (2)"
    return found[0], found[1]


def _local_month(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date().replace(day=1)


# --- reply times ------------------------------------------------------------------------------


def reply_minutes(
    rows: Iterable[tuple[object, int, datetime]], letters: dict[int, Letter], since: datetime
) -> list[tuple[Letter, datetime, float]]:
    """Each reply of a parent to the other: (who replied, when, minutes since the first of the
    other's messages it answers). `rows` are (thread, sender, time) in thread order, each
    thread's messages in time order. A message answers the other parent's run of messages
    since this parent last wrote in that conversation; further messages of the same parent
    are not replies, and a professional's messages neither answer nor wait for an answer.
    Only replies from `since` on are given (earlier rows only open a wait)."""
    found: list[tuple[Letter, datetime, float]] = []
    thread: object = None
    last: Letter | None = None
    waiting_since: datetime | None = None
    for thread_id, sender_id, at in rows:
        if thread_id != thread:
            thread, last, waiting_since = thread_id, None, None
        letter = letters.get(sender_id)
        if letter is None or letter == last:
            continue
        if last is not None and waiting_since is not None and at >= since:
            found.append((letter, at, (at - waiting_since).total_seconds() / 60))
        last, waiting_since = letter, at
    return found


def _replies(
    access: FamilyAccess,
    letters: dict[int, Letter],
    window: Window,
    zone: ZoneInfo,
    months: Sequence[tuple[date, date, date]],
) -> list[ReplyMonth]:
    # Only the times and senders: the page counts when people answered, never what they wrote.
    rows = (
        Message.objects.filter(
            family=access.family,
            created_at__gte=window.start - REPLY_LOOKBACK,
            created_at__lt=window.end,
        )
        .order_by("thread_id", "created_at", "pk")
        .values_list("thread_id", "sender_id", "created_at")
    )
    by_month: dict[date, dict[Letter, list[float]]] = defaultdict(lambda: {"A": [], "B": []})
    for letter, at, minutes in reply_minutes(rows.iterator(), letters, window.start):
        by_month[_local_month(at, zone)][letter].append(minutes)
    found = []
    for month, _low, _high in months:
        waits = by_month.get(month, {"A": [], "B": []})
        found.append(
            ReplyMonth(
                month=month,
                median_minutes={
                    letter: round(statistics.median(waits[letter])) if waits[letter] else None
                    for letter in LETTERS
                },
                replies={letter: len(waits[letter]) for letter in LETTERS},
            )
        )
    return found


# --- exchanges: punctuality and time-share ----------------------------------------------------


def _exchanges(
    access: FamilyAccess,
    window: Window,
    zone: ZoneInfo,
    months: Sequence[tuple[date, date, date]],
    now: datetime,
) -> tuple[list[PunctualityMonth], list[ShareMonth], datetime]:
    # From a day before, so a handover still in play at the start is seen; to a day after, so
    # the last night is counted (as the planned-and-actual page does).
    low, high = window.start - timedelta(days=1), window.end + timedelta(days=1)
    # The plan's versions are read once, for the exchanges and the planned side alike.
    schedule = schedule_of(access)  # 1 query
    rows = exchanges_between(access, low, high, now=now, schedule=schedule)  # 4 queries
    found = [row.outcome for row in rows if row.outcome is not None]
    in_period = [o for o in found if window.start <= o.exchange.at < window.end]
    punctuality = []
    for month, _first, _stop in months:
        summary = outcomes.month_summary(in_period, zone, month.year, month.month)
        punctuality.append(
            PunctualityMonth(
                month=month,
                on_time={x: summary.total(x, outcomes.Kind.ON_TIME) for x in LETTERS},
                late={x: summary.total(x, outcomes.Kind.LATE) for x in LETTERS},
                missed={x: summary.total(x, outcomes.Kind.MISSED) for x in LETTERS},
            )
        )
    planned: list[Segment] = schedule.expand(low, high)[0]
    if not planned:
        empty = [ShareMonth(month, None, None) for month, _f, _s in months]
        return punctuality, empty, min(now, window.end)
    actual = actual_custody(planned, found, now=min(now, high))
    shares = []
    through = min(actual.end, window.end)
    for month, month_first, month_stop in months:
        part = Window(zone, month_first, month_stop)
        if part.start >= actual.end:
            shares.append(ShareMonth(month, None, None))
            continue
        compared = compare(planned, actual, part, ["overnights"])
        shares.append(
            ShareMonth(
                month,
                {x: int(v) for x, v in compared.planned["overnights"].counts.items()},
                {x: int(v) for x, v in compared.actual["overnights"].counts.items()},
            )
        )
    return punctuality, shares, through


# --- the reader's own tone --------------------------------------------------------------------


def _tone(
    access: FamilyAccess,
    window: Window,
    zone: ZoneInfo,
    months: Sequence[tuple[date, date, date]],
) -> Tone:
    # The reader's own sent texts, never anyone else's: this is a mirror, not a score of the
    # other parent.
    own = list(
        Message.objects.filter(
            family=access.family,
            sender=access.membership.user_id,
            created_at__gte=window.start,
            created_at__lt=window.end,
        )
        .order_by("-created_at", "-pk")
        .values_list("created_at", "body")[: TONE_LIMIT + 1]
    )
    limited = len(own) > TONE_LIMIT
    own = own[:TONE_LIMIT]
    read_from = own[-1][0] if limited and own else None
    counts: dict[date, dict[str, int]] = defaultdict(lambda: {"ok": 0, "caution": 0, "hostile": 0})
    for at, body in own:
        counts[_local_month(at, zone)][analyse(body).level] += 1
    first_read = _local_month(read_from, zone) if read_from is not None else None
    found: list[ToneMonth | None] = []
    for month, _first, _stop in months:
        if first_read is not None and month < first_read:
            found.append(None)
            continue
        seen = counts.get(month, {"ok": 0, "caution": 0, "hostile": 0})
        found.append(
            ToneMonth(
                month=month,
                sent=sum(seen.values()),
                caution=seen["caution"],
                hostile=seen["hostile"],
            )
        )
    return Tone(months=found, limited=limited, read_from=read_from)

"""Reads of exchanges: what the schedule plans, merged with what was recorded at each one.

An exchange is named by its planned instant (`key`, "20270604T150000Z"): the schedule has at
most one exchange at an instant, and a check-in or note made against it keeps that name even
if the plan later moves the exchange (the recorded occurrence is listed beside the new one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.agreements.models import ClauseVersion
from coparent.agreements.selectors import in_force_at
from coparent.core import pickup_pass
from coparent.core.agreement import ClauseTopic
from coparent.core.schedule import outcome as outcomes
from coparent.core.schedule.actual import actual_custody, compare
from coparent.core.schedule.model import LETTERS, Exchange, Letter, Source
from coparent.core.schedule.timeshare import Window
from coparent.core.zones import zone_or_utc
from coparent.exchanges.models import (
    CHECK_IN_WINDOW,
    CheckIn,
    Note,
    NotePhoto,
    Occurrence,
    PassRevocation,
    PickupPass,
    PlacePin,
    Step,
)
from coparent.families.models import Family
from coparent.families.selectors import (
    FamilyAccess,
    HomePlaces,
    get_owned,
    homes_of,
    parents_with_homes,
)
from coparent.infra.keys import ensure_signing_key
from coparent.schedule.charts import Chart, share_chart
from coparent.schedule.selectors import Schedule, parent_names, schedule_of
from coparent.web.zones import current

KEY_FORMAT = "%Y%m%dT%H%M%SZ"


def key_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(KEY_FORMAT)


def parse_key(key: str) -> datetime | None:
    """The planned instant a key names; None for anything that is not one."""
    try:
        return datetime.strptime(key, KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def parent_seats(access: FamilyAccess) -> dict[str, User | None]:
    """The people behind the plan's letters: A is the family's first parent, B the second, in
    the order `coparent.schedule.selectors.parent_names` names them (one query)."""
    return _seats_and_places(access)[0]


def _seats_and_places(access: FamilyAccess) -> tuple[dict[str, User | None], HomePlaces]:
    """`parent_seats`, and the exchange places as the member reads them, from the same query
    (the parents come with their homes: coparent.families.selectors.parents_with_homes)."""
    seats = list(parents_with_homes(access.family))
    users = [seat.user for seat in seats] + [None, None]
    return {"A": users[0], "B": users[1]}, HomePlaces(access, homes=homes_of(seats))


def planned_exchange(schedule: Schedule, planned_at: datetime) -> Exchange | None:
    """The exchange the schedule plans at exactly `planned_at`, if any."""
    _, exchanges = schedule.expand(planned_at - timedelta(hours=1), planned_at + timedelta(hours=1))
    return next((x for x in exchanges if x.at == planned_at), None)


@dataclass
class ExchangeRow:
    """One exchange as a page or the API shows it."""

    planned_at: datetime
    from_parent: str
    to_parent: str
    giver_name: str
    receiver_name: str
    place: str  # as the reader may see it (HomePlaces): a home without its address in safe mode
    why: str  # the rotation, a holiday's name, an override's note
    in_plan: bool  # False: recorded against a time the plan no longer has
    # The approved change (a swap's or a trip's label) that took this exchange out of the
    # plan; "" when none did.
    changed_by: str = ""
    occurrence: Occurrence | None = None
    check_ins: list[CheckIn] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # What happened, from the taps (coparent.core.schedule.outcome); None until someone
    # checked in or wrote: an exchange nobody recorded is "not recorded", never "missed".
    outcome: outcomes.Outcome | None = None
    # The plan's own words for the place ("home:A", "Lincoln Elementary"): what a pin is kept
    # under. Never shown as is.
    plan_place: str = ""

    @property
    def key(self) -> str:
        return key_of(self.planned_at)

    def done(self, user_id: int, step: Step) -> bool:
        return any(c.user_id == user_id and c.step == step for c in self.check_ins)


def _occurrences(access: FamilyAccess) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(family=access.family).prefetch_related(
        Prefetch("check_ins", queryset=CheckIn.objects.select_related("user")),
        Prefetch(
            "notes", queryset=Note.objects.select_related("author").prefetch_related("photos")
        ),
    )


def _row(exchange: Exchange, names: dict[Letter, str], places: HomePlaces) -> ExchangeRow:
    return ExchangeRow(
        planned_at=exchange.at,
        from_parent=exchange.from_parent,
        to_parent=exchange.to_parent,
        giver_name=names[exchange.from_parent],
        receiver_name=names[exchange.to_parent],
        place=places.show(exchange.place),
        why=exchange.source.label,
        in_plan=True,
        plan_place=exchange.place,
    )


def _names(seats: dict[str, User | None], schedule: Schedule, at: datetime) -> dict[Letter, str]:
    plan = schedule.plan_on(at) or schedule.current_plan(at)
    names: dict[Letter, str] = {}
    for letter in ("A", "B"):
        user = seats[letter]
        if plan is not None:
            names[letter] = plan.name_of(letter)
        else:
            names[letter] = (user.display_name or user.email) if user else letter
    return names


def _recorded_row(occurrence: Occurrence, places: HomePlaces) -> ExchangeRow:
    def name(user: User | None, letter: str) -> str:
        return (user.display_name or user.email) if user else letter

    return ExchangeRow(
        planned_at=occurrence.planned_at,
        from_parent=occurrence.from_parent,
        to_parent=occurrence.to_parent,
        giver_name=name(occurrence.giver, occurrence.from_parent),
        receiver_name=name(occurrence.receiver, occurrence.to_parent),
        place=places.show(occurrence.place),
        why="",
        in_plan=False,
        plan_place=occurrence.place,
    )


def _attach(row: ExchangeRow, occurrence: Occurrence) -> ExchangeRow:
    row.occurrence = occurrence
    row.check_ins = list(occurrence.check_ins.all())
    row.notes = list(occurrence.notes.all())
    return row


def open_steps(access: FamilyAccess, row: ExchangeRow, now: datetime) -> list[Step]:
    """The taps this member may still make at this exchange (the services refuse the rest):
    "I'm here" for either of its two parents, "handed over" for the giver, "received" for the
    receiver, each once, while check-ins are open."""
    if not access.is_parent or not row.in_plan or abs(now - row.planned_at) > CHECK_IN_WINDOW:
        return []
    if row.occurrence is not None:
        giver, receiver = row.occurrence.giver_id, row.occurrence.receiver_id
    else:
        seats = parent_seats(access)
        giving, receiving = seats.get(row.from_parent), seats.get(row.to_parent)
        giver = giving.pk if giving else None
        receiver = receiving.pk if receiving else None
    me = access.membership.user_id
    mine = []
    if me in (giver, receiver):
        mine.append(Step.ARRIVED)
    if me == giver:
        mine.append(Step.HANDED_OVER)
    if me == receiver:
        mine.append(Step.RECEIVED)
    return [step for step in mine if not row.done(me, step)]


def _taps(row: ExchangeRow) -> list[outcomes.CheckIn]:
    """The row's check-ins as the outcome rules read them: each by its parent's letter in
    this exchange (a tap by anyone else counts for nothing)."""
    occurrence = row.occurrence
    if occurrence is None:
        return []
    letters = {occurrence.giver_id: row.from_parent, occurrence.receiver_id: row.to_parent}
    return [
        outcomes.CheckIn(c.step, letters[c.user_id], c.at)  # type: ignore[arg-type]  # "A"/"B" and a step, as stored
        for c in row.check_ins
        if c.user_id in letters
    ]


def _judge(rows: list[ExchangeRow], following: datetime | None, now: datetime) -> None:
    """Each recorded row's outcome as of `now`, its cut-off brought forward by the next
    planned exchange (`following`: the first one after the last row)."""
    for index, row in enumerate(rows):
        later = next((r.planned_at for r in rows[index + 1 :] if r.in_plan), following)
        if row.occurrence is None and not row.changed_by:
            continue
        exchange = Exchange(
            row.planned_at,
            row.from_parent,  # type: ignore[arg-type]  # "A"/"B", as stored
            row.to_parent,  # type: ignore[arg-type]  # "A"/"B", as stored
            Source("rotation"),
            row.plan_place,
        )
        row.outcome = outcomes.outcome(
            exchange, _taps(row), now, next_at=later, changed=bool(row.changed_by)
        )


def _mark_changed(
    rows: dict[datetime, ExchangeRow],
    schedule: Schedule,
    planned: list[Exchange],
    start: datetime,
    end: datetime,
    seats: dict[str, User | None],
    places: HomePlaces,
) -> None:
    """Add, or mark, each exchange of [start, end) that the agreed plan had and an approved
    change (a swap, a trip) took away: its outcome is "changed by a request", not "missed"
    nor "not recorded". Only the expansion of the plan without the changes, no query."""
    moves = [c for c in schedule.changes if c.parent is not None and c.start < end]
    if not moves:
        return
    now_planned = {(x.at, x.from_parent, x.to_parent) for x in planned}
    _, agreed = schedule.expand(start, end, as_planned=True)
    for exchange in agreed:
        if not start <= exchange.at < end:
            continue
        if (exchange.at, exchange.from_parent, exchange.to_parent) in now_planned:
            continue
        # The latest change whose days reach this exchange is the one that moved it.
        cause = next((c for c in reversed(moves) if c.start <= exchange.at <= c.end), moves[-1])
        row = rows.get(exchange.at)
        if row is not None and row.in_plan:
            continue  # the plan now has another hand-over at this very time: its own row
        if row is None:
            row = _row(exchange, _names(seats, schedule, exchange.at), places)
            row.in_plan = False
            rows[exchange.at] = row
        row.changed_by = cause.label


def exchanges_between(
    access: FamilyAccess,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    schedule: Schedule | None = None,
) -> list[ExchangeRow]:
    """Every exchange planned in [start, end), and every one recorded there that the plan no
    longer has, in time order, each with its check-ins, notes and outcome as of `now`. Five
    queries: the plan's versions, the parents, the occurrences, their check-ins and notes.
    A caller that needs the schedule too reads it once (`schedule_of`) and passes it here, so
    the versions are not read twice (four queries then)."""
    access.require_shared()
    if schedule is None:
        schedule = schedule_of(access)
    # A day further, so the last row's cut-off knows the exchange after it.
    _, planned = schedule.expand(start, end + outcomes.MISS_AFTER)
    seats, places = _seats_and_places(access)
    rows = {
        x.at: _row(x, _names(seats, schedule, x.at), places) for x in planned if start <= x.at < end
    }
    recorded = _occurrences(access).filter(planned_at__gte=start, planned_at__lt=end)
    for occurrence in recorded.select_related("giver", "receiver"):
        row = rows.get(occurrence.planned_at) or _recorded_row(occurrence, places)
        rows[occurrence.planned_at] = _attach(row, occurrence)
    _mark_changed(rows, schedule, planned, start, end, seats, places)
    ordered = [rows[at] for at in sorted(rows)]
    following = next((x.at for x in planned if x.at >= end), None)
    _judge(ordered, following, now or timezone.now())
    return ordered


def exchange_at(access: FamilyAccess, planned_at: datetime) -> ExchangeRow | None:
    """One exchange by its planned instant: planned, recorded, or both; None when neither."""
    found = exchanges_between(access, planned_at, planned_at + timedelta(seconds=1))
    return found[0] if found else None


# --- pickup passes -----------------------------------------------------------------------------


def passes(access: FamilyAccess) -> QuerySet[PickupPass]:
    """The family's passes, newest first, each with its revocation (one query)."""
    access.require_shared()
    return (
        PickupPass.objects.filter(family=access.family)
        .select_related("issued_by", "revocation")
        .order_by("-issued_at", "pk")
    )


def get_pass(access: FamilyAccess, pass_id: object) -> PickupPass:
    return get_owned(passes(access), access, pass_id)


@dataclass(frozen=True)
class PassCheck:
    """What the public check page shows for a token: the verdict, and the zone its times are
    read in (the family's, found only for a pass this server signed)."""

    verdict: pickup_pass.Verdict
    zone: ZoneInfo


def check_pass(token: str, now: datetime) -> PassCheck:
    """Verify a token as a school office would, against this server's key and its revocations
    (two small queries for a signed pass, none for anything else)."""
    public = ensure_signing_key(settings.DATA_DIR).public_key()
    verdict = pickup_pass.verify(token, public, now)
    said = verdict.pickup
    if said is None:
        return PassCheck(verdict, ZoneInfo("UTC"))
    if PassRevocation.objects.filter(pickup_pass_id=said.pass_id).exists():
        verdict = pickup_pass.verify(token, public, now, revoked={said.pass_id})
    family = Family.objects.filter(pk=said.family).values_list("timezone", flat=True)
    return PassCheck(verdict, zone_or_utc(family.first() or "UTC"))


# --- planned beside actual ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    """One counting method's figures for one parent: planned, actual, and the difference."""

    method: str
    label: str
    name: str
    planned: float
    actual: float

    @property
    def moved(self) -> float:
        return round(self.actual - self.planned, 2)


@dataclass(frozen=True)
class PlannedAndActual:
    """The time-share planned and as it happened over the local dates [first, stop), counted
    as far as `through` (now, for a period that runs past today), and why they differ."""

    first: date
    stop: date
    through: datetime
    names: tuple[str, str]
    rows: list[ShareRow]
    reasons: list[str]
    chart: Chart | None
    summary: outcomes.Summary

    @property
    def summary_rows(self) -> list[tuple[str, int, int, int]]:
        """Per parent: the exchanges of the period on time, late and missed (either role)."""
        return [
            (
                self.names[index],
                self.summary.total(letter, outcomes.Kind.ON_TIME),
                self.summary.total(letter, outcomes.Kind.LATE),
                self.summary.total(letter, outcomes.Kind.MISSED),
            )
            for index, letter in enumerate(LETTERS)
        ]


def planned_and_actual(
    access: FamilyAccess, first: date, stop: date, zone: ZoneInfo, *, now: datetime | None = None
) -> PlannedAndActual:
    """Planned and actual time-share for a period, from the schedule and the recorded outcomes
    (coparent.core.schedule.actual): a missed exchange leaves the children with the parent who
    had them, a late one moves the boundary to the handover. Five queries: the plan's versions
    (read once, for both the rows and the planned side), the parents, the occurrences, their
    check-ins and notes."""
    now = now or timezone.now()
    window = Window(zone, first, stop)
    # From a day before, so a handover still in play at the start is seen; to a day after, so
    # the last night is counted.
    low, high = window.start - timedelta(days=1), window.end + timedelta(days=1)
    access.require_shared()
    schedule = schedule_of(access)
    rows = exchanges_between(access, low, high, now=now, schedule=schedule)
    planned = schedule.expand(low, high)[0]
    found = [row.outcome for row in rows if row.outcome is not None]
    if not planned:
        # No plan in force in the period: nothing planned, nothing to compare.
        return PlannedAndActual(
            first, stop, window.start, parent_names(access), [], [], None, outcomes.summarize([])
        )
    actual = actual_custody(planned, found, now=min(now, high))
    compared = compare(planned, actual, window, ["overnights", "hours"])
    plan = schedule.plan_on(window.start) or schedule.current_plan(window.start)
    names = (plan.name_of("A"), plan.name_of("B")) if plan else ("A", "B")
    labels = {"overnights": _("Overnights"), "hours": _("Hours")}
    share_rows = [
        ShareRow(
            method,
            str(labels[method]),
            names[index],
            compared.planned[method].rounded()[letter],
            compared.actual[method].rounded()[letter],
        )
        for method in ("overnights", "hours")
        for index, letter in enumerate(LETTERS)
    ]
    locale = current().locale
    reasons = [d.reason(names, zone, locale) for d in compared.differences]
    in_period = [o for o in found if window.start <= o.exchange.at < window.end]
    return PlannedAndActual(
        first=first,
        stop=stop,
        through=compared.through,
        names=names,
        rows=share_rows,
        reasons=reasons,
        chart=_share_chart(
            compared.planned["hours"].counts, compared.actual["hours"].counts, names
        ),
        summary=outcomes.summarize(in_period),
    )


def _share_chart(
    planned: dict[Letter, Fraction], actual: dict[Letter, Fraction], names: tuple[str, str]
) -> Chart | None:
    """Two bars, planned and actual hours, each 100%: A from the left, B after it."""
    rows = []
    for label, counts in ((_("Planned"), planned), (_("Actual"), actual)):
        a, b = counts["A"], counts["B"]
        if a + b == 0:
            return None
        share = round(float(100 * a / (a + b)))
        rows.append((str(label), a, b, f"{share}–{100 - share}%"))
    return share_chart(rows, names)


def get_photo(access: FamilyAccess, photo_id: object) -> NotePhoto:
    """A note's photo or PDF: parents and consented professionals, like the notes."""
    access.require_shared()
    return get_owned(NotePhoto.objects.all(), access, photo_id)


def exchange_rules(access: FamilyAccess, at: datetime) -> list[ClauseVersion]:
    """The agreement's clauses in force about exchanges and home boundaries ("exchanges happen
    at the curb"), shown beside the exchanges (one query)."""
    topics = (ClauseTopic.EXCHANGES.value, ClauseTopic.BOUNDARIES.value)
    return list(
        in_force_at(access.family, at)
        .filter(clause__topic__in=topics)
        .only("clause_id", "number", "title", "body", "signed_at")
        .order_by("signed_at", "pk")
    )


def place_pin(access: FamilyAccess, place: str) -> PlacePin | None:
    """The latest pin of an exchange place (by the plan's words for it), if any."""
    if not place:
        return None
    return PlacePin.objects.filter(family=access.family, place=place).order_by("-at", "pk").first()

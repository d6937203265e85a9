"""Writes to requests: make, approve, decline, counter, withdraw, comment; and the clock's
work (reminders before a request falls due, its expiry).

Every answer locks the request's row (`select_for_update`) inside its transaction and checks
its status and due time there, so of two answers at once (both parents, two tabs, an answer and
the expiry job) exactly one wins and the other is told what happened. An approved swap, or a
trip that changes custody, changes the calendar through the schedule's one service
(`schedule.services.override_add`); a trip that does not is a labelled marker (`marker_add`).
What the agreement says comes only through `terms.terms_in_force`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.core.agreement import RequestKind
from coparent.families.models import Child, Family, Membership
from coparent.families.selectors import FamilyAccess
from coparent.infra.errors import DomainError, Problem
from coparent.infra.labels import label_problem
from coparent.messaging import idempotency
from coparent.records.models import Kind as EntryKind
from coparent.records.services import record_append
from coparent.requests.models import (
    COMMENT_MAX_CHARS,
    DATED_KINDS,
    DETAILS_MAX_CHARS,
    PLACE_MAX_CHARS,
    REASON_MAX_CHARS,
    TITLE_MAX_CHARS,
    Comment,
    CommentKind,
    ReminderSent,
    Request,
    RequestStatus,
    RequestType,
)
from coparent.requests.terms import terms_in_force
from coparent.schedule.selectors import parent_letters
from coparent.schedule.services import MAX_CHANGE_DAYS, marker_add, override_add

# How long the other parent has to answer when the asker does not say: a swap is near and
# small, the rest can wait a week. Never past the start of the swap or trip.
DEFAULT_DUE_DAYS: dict[str, int] = {RequestType.SWAP: 3}
DEFAULT_DUE = 7
MAX_DUE_DAYS = 60
MIN_NOTICE = timedelta(hours=1)  # the least time an answer may be asked within
REMINDER_HOURS = (48, 24)  # reminders before the due time, farthest first


class RequestProblem(DomainError):
    """A request, an answer or a comment that cannot be taken as given."""


class AlreadyAnswered(RequestProblem):
    """The request is no longer waiting (answered, withdrawn, expired): nothing changed."""

    status = 409


def _words(
    value: str,
    field: str,
    limit: int,
    problems: list[Problem],
    *,
    required: str = "",
    label: bool = False,
) -> str:
    text = value.strip()
    if required and not text:
        problems.append((field, required))
    elif label and (hidden := label_problem(text)) is not None:
        # A label shows as stored (docs/permissions.md, "Text that shows as stored").
        problems.append((field, hidden))
    elif len(text) > limit:
        problems.append(
            (
                field,
                _("At most %(limit)d characters (this has %(n)d).")
                % {"limit": limit, "n": len(text)},
            )
        )
    return text


def _other_parents(access: FamilyAccess) -> list[Membership]:
    return list(
        Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .exclude(user_id=access.membership.user_id)
    )


def default_due(kind: str, *, at: datetime, starts_at: datetime | None, family: Any) -> datetime:
    """When an answer is due unless the asker says: the agreement's days of silence for the
    kind where a clause sets them, else a few days; never after the swap or trip begins."""
    silence = terms_in_force(family, at).silence_for(RequestKind(kind))
    days = silence[0].days if silence else DEFAULT_DUE_DAYS.get(kind, DEFAULT_DUE)
    due = at + timedelta(days=days)
    if starts_at is not None and starts_at < due:
        due = starts_at
    return due


def _overlapping_trip(
    access: FamilyAccess, starts_at: datetime, ends_at: datetime, *, exclude: Any = None
) -> Request | None:
    """An approved trip (or one approved by silence) that overlaps [starts_at, ends_at)."""
    trips = Request.objects.filter(
        family=access.family,
        kind=RequestType.TRIP,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
        status__in=(RequestStatus.APPROVED, RequestStatus.EXPIRED),
    ).exclude(pk=exclude)
    return next((trip for trip in trips if trip.counts_as_approved), None)


def _check_span(
    access: FamilyAccess,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    at: datetime,
    problems: list[Problem],
) -> None:
    if kind not in DATED_KINDS:
        return
    if starts_at is None:
        problems.append(("starts_at", _("Say when it starts.")))
    if ends_at is None:
        problems.append(("ends_at", _("Say when it ends.")))
    if starts_at is None or ends_at is None:
        return
    if starts_at < at:
        problems.append(("starts_at", _("This is in the past: ask about days still to come.")))
    if ends_at <= starts_at:
        problems.append(("ends_at", _("The end must come after the start.")))
    elif (ends_at - starts_at).days > MAX_CHANGE_DAYS:
        problems.append(
            (
                "ends_at",
                _("At most %(n)d days: a longer change is a change of plan.")
                % {"n": MAX_CHANGE_DAYS},
            )
        )
    elif kind == RequestType.TRIP:
        other = _overlapping_trip(access, starts_at, ends_at)
        if other is not None:
            problems.append(
                (
                    "starts_at",
                    _("These dates overlap an approved trip: “%(title)s”.")
                    % {"title": other.title},
                )
            )


def _clause_snapshot(access: FamilyAccess, kind: str, at: datetime) -> dict[str, Any] | None:
    ref = terms_in_force(access.family, at).clause_for(RequestKind(kind))
    if ref is None:
        return None
    return {"clause_id": ref.clause_id, "version": ref.version, "title": ref.title}


def _summary(request: Request, children: Sequence[Child]) -> dict[str, Any]:
    """What the record keeps of a request: enough to read it without the row."""
    data: dict[str, Any] = {
        "id": str(request.pk),
        "kind": request.kind,
        "title": request.title,
        "children": [child.name for child in children],
        "due_at": request.due_at.isoformat(),
    }
    if request.is_dated and request.starts_at and request.ends_at:
        data["starts_at"] = request.starts_at.isoformat()
        data["ends_at"] = request.ends_at.isoformat()
        data["custody_changes"] = request.changes_custody
    if request.destination:
        data["destination"] = request.destination
    if request.clause:
        data["clause"] = request.clause
    if request.counter_of_id:
        data["counter_of"] = str(request.counter_of_id)
    return data


def request_make(
    *,
    access: FamilyAccess,
    kind: str,
    title: str,
    details: str = "",
    children: Sequence[Child] = (),
    due_at: datetime | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    custody_to: str = "",
    destination: str = "",
    itinerary: str = "",
    contact: str = "",
    at: datetime | None = None,
    idempotency_key: str | None = None,
    counter_of: Request | None = None,
) -> Request:
    """A parent asks the other. `custody_to`: for a swap, who has the children over the span
    ("me" or "other", the asker by default); for a trip, the traveller who takes the children
    ("me", or "other" in a counter-proposal), "" when the trip keeps custody as planned.
    With an `idempotency_key` a retry returns the first request and makes nothing new."""
    access.require_parent()
    at = at or timezone.now()
    children = list(children)
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="request_create",
        fields={
            "kind": kind,
            "title": title,
            "details": details,
            "children": sorted(str(c.pk) for c in children),
            "due_at": due_at.isoformat() if due_at else None,
            "starts_at": starts_at.isoformat() if starts_at else None,
            "ends_at": ends_at.isoformat() if ends_at else None,
            "custody_to": custody_to,
            "destination": destination,
            "itinerary": itinerary,
            "contact": contact,
        },
    )

    def work() -> Request:
        nonlocal title, details, destination, itinerary, contact, due_at  # cleaned here
        problems: list[Problem] = []
        if kind not in RequestType.values:
            raise RequestProblem(_("Choose a kind of request."), field="kind")
        title = _words(
            title, "title", TITLE_MAX_CHARS, problems, required=_("Give it a title."), label=True
        )
        details = _words(details, "details", DETAILS_MAX_CHARS, problems)
        destination = _words(
            destination,
            "destination",
            PLACE_MAX_CHARS,
            problems,
            required=_("Say where to.") if kind == RequestType.TRIP else "",
            label=True,
        )
        itinerary = _words(itinerary, "itinerary", DETAILS_MAX_CHARS, problems)
        contact = _words(contact, "contact", DETAILS_MAX_CHARS, problems)
        if not children:
            problems.append(("children", _("Choose the children this is about.")))
        if any(child.family_id != access.family.pk for child in children):
            problems.append(("children", _("Choose among the family's children.")))
        _check_span(access, kind, starts_at, ends_at, at, problems)
        others = _other_parents(access)
        if not others:
            problems.append(("__all__", _("There is no other parent in the family to ask yet.")))
        if custody_to not in ("", "me", "other"):
            problems.append(("custody_to", _("Choose who has the children.")))
        if due_at is None:
            if not any(field in ("starts_at", "ends_at") for field, _text in problems):
                due_at = default_due(kind, at=at, starts_at=starts_at, family=access.family)
        elif due_at < at + MIN_NOTICE:
            problems.append(("due_at", _("Leave at least an hour to answer.")))
        elif due_at > at + timedelta(days=MAX_DUE_DAYS):
            problems.append(("due_at", _("At most %(n)d days ahead.") % {"n": MAX_DUE_DAYS}))
        elif starts_at is not None and kind in DATED_KINDS and due_at > starts_at:
            problems.append(("due_at", _("The answer must come before it starts.")))
        if problems or due_at is None:
            raise RequestProblem(problems)

        me = access.membership.user
        holder = None
        if kind == RequestType.SWAP:
            holder = others[0].user if custody_to == "other" else me
        elif kind == RequestType.TRIP and custody_to:
            holder = me if custody_to == "me" else others[0].user
        with transaction.atomic():
            request = Request.objects.create(
                family=access.family,
                kind=kind,
                title=title,
                details=details,
                asked_by=me,
                created_at=at,
                due_at=due_at,
                starts_at=starts_at if kind in DATED_KINDS else None,
                ends_at=ends_at if kind in DATED_KINDS else None,
                custody_to=holder,
                destination=destination if kind == RequestType.TRIP else "",
                itinerary=itinerary if kind == RequestType.TRIP else "",
                contact=contact if kind == RequestType.TRIP else "",
                clause=_clause_snapshot(access, kind, at),
                counter_of=counter_of,
            )
            request.children.set(children)
            once.remember(request.pk)
            if counter_of is None:
                record_append(
                    family=access.family,
                    kind=EntryKind.REQUEST_MADE,
                    actor=me,
                    data=_summary(request, children),
                    at=at,
                )
        return request

    # A twin request with the same key, at the same instant, gets the first request.
    return once.attempt(work, lambda pk: Request.objects.get(family=access.family, pk=pk)).made


def _locked(access: FamilyAccess, request: Request, at: datetime) -> Request:
    """The request re-read under a row lock, still waiting for an answer: else AlreadyAnswered
    (someone else's answer, a withdrawal or the expiry got there first)."""
    locked = (
        Request.objects.select_for_update(of=("self",))
        .filter(family=access.family, pk=request.pk)
        .select_related("custody_to")
        .get()
    )
    if locked.status != RequestStatus.PENDING:
        raise AlreadyAnswered(
            _("This request is no longer waiting for an answer: it is %(status)s.")
            % {"status": str(locked.get_status_display()).lower()}
        )
    if locked.due_at <= at:
        raise AlreadyAnswered(_("This request has expired: its answer was due before now."))
    return locked


def _must_answer(access: FamilyAccess, request: Request) -> None:
    access.require_parent()
    if request.asked_by_id == access.membership.user_id:
        raise RequestProblem(_("The other parent answers your request."), reason="own_request")


def _answered(request: Request, access: FamilyAccess, status: str, at: datetime) -> None:
    request.status = status
    request.answered_by = access.membership.user
    request.answered_at = at
    request.save(update_fields=["status", "answered_by", "answered_at", "reason"])


def _apply(access: FamilyAccess, request: Request, at: datetime, *, automatic: bool) -> None:
    """What an approved swap or trip does to the calendar (nothing for other kinds)."""
    if not request.is_dated or request.starts_at is None or request.ends_at is None:
        return
    origin = f"request:{request.pk}"
    if request.custody_to_id is not None:
        letter = parent_letters(access).get(request.custody_to_id)
        if letter is None:  # the parent left the family since: nothing to give them
            return
        override_add(
            access=access,
            start=request.starts_at,
            end=request.ends_at,
            parent=letter,
            label=request.title,
            origin=origin,
            at=at,
            automatic=automatic,
        )
    else:
        marker_add(
            access=access,
            start=request.starts_at,
            end=request.ends_at,
            label=request.title,
            origin=origin,
            at=at,
            automatic=automatic,
        )


def request_approve(
    *, access: FamilyAccess, request: Request, at: datetime | None = None
) -> Request:
    """The other parent approves: a swap or a trip changes the calendar from now on."""
    _must_answer(access, request)
    at = at or timezone.now()
    with transaction.atomic():
        request = _locked(access, request, at)
        if request.kind == RequestType.TRIP and request.starts_at and request.ends_at:
            other = _overlapping_trip(
                access, request.starts_at, request.ends_at, exclude=request.pk
            )
            if other is not None:
                raise RequestProblem(
                    _("These dates overlap an approved trip: “%(title)s”. Counter with others.")
                    % {"title": other.title},
                    field="starts_at",
                )
        _answered(request, access, RequestStatus.APPROVED, at)
        record_append(
            family=access.family,
            kind=EntryKind.REQUEST_APPROVED,
            actor=access.membership.user,
            data={"id": str(request.pk), "kind": request.kind, "title": request.title},
            at=at,
        )
        _apply(access, request, at, automatic=False)
    return request


def request_decline(
    *, access: FamilyAccess, request: Request, reason: str, at: datetime | None = None
) -> Request:
    """The other parent declines, saying why. Nothing else changes."""
    _must_answer(access, request)
    at = at or timezone.now()
    problems: list[Problem] = []
    reason = _words(
        reason,
        "reason",
        REASON_MAX_CHARS,
        problems,
        required=_("Say why you decline."),
        label=True,
    )
    if problems:
        raise RequestProblem(problems)
    with transaction.atomic():
        request = _locked(access, request, at)
        request.reason = reason
        _answered(request, access, RequestStatus.DECLINED, at)
        record_append(
            family=access.family,
            kind=EntryKind.REQUEST_DECLINED,
            actor=access.membership.user,
            data={
                "id": str(request.pk),
                "kind": request.kind,
                "title": request.title,
                "reason": reason,
            },
            at=at,
        )
    return request


def request_counter(
    *,
    access: FamilyAccess,
    request: Request,
    details: str,
    title: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    due_at: datetime | None = None,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Request:
    """The other parent answers with other dates or terms: a new request going back to the
    first parent, `counter_of` this one, which becomes "countered". A swap or trip keeps its
    dates unless new ones are given; who has the children stays as asked. With an
    `idempotency_key` a retry returns the first counter-proposal (the original is no longer
    waiting by then, so without the key the retry would be refused as too late)."""
    _must_answer(access, request)
    at = at or timezone.now()
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="request_counter",
        fields={
            "request": str(request.pk),
            "details": details,
            "title": title,
            "starts_at": starts_at.isoformat() if starts_at else None,
            "ends_at": ends_at.isoformat() if ends_at else None,
            "due_at": due_at.isoformat() if due_at else None,
        },
    )

    def work() -> Request:
        if not details.strip():
            raise RequestProblem(_("Say what you propose instead."), field="details")
        with transaction.atomic():
            original = _locked(access, request, at)
            children = list(original.children.all())
            me = access.membership.user
            # Who has the children stays as asked (a swap's holder, a trip's traveller), said from
            # the side of the parent countering.
            custody = ""
            if original.custody_to_id is not None:
                custody = "me" if original.custody_to_id == me.pk else "other"
            counter = request_make(
                access=access,
                kind=original.kind,
                title=title.strip() or original.title,
                details=details,
                children=children,
                due_at=due_at,
                starts_at=starts_at or original.starts_at,
                ends_at=ends_at or original.ends_at,
                custody_to=custody,
                destination=original.destination,
                itinerary=original.itinerary,
                contact=original.contact,
                at=at,
                counter_of=original,
            )
            original.status = RequestStatus.COUNTERED
            original.answered_by = me
            original.answered_at = at
            original.save(update_fields=["status", "answered_by", "answered_at"])
            once.remember(counter.pk)
            record_append(
                family=access.family,
                kind=EntryKind.REQUEST_COUNTERED,
                actor=me,
                data={
                    **_summary(counter, children),
                    "id": str(original.pk),
                    "counter": str(counter.pk),
                    "details": counter.details,
                },
                at=at,
            )
        return counter

    # A twin with the same key gets the first counter-proposal, not "no longer waiting".
    return once.attempt(work, lambda pk: Request.objects.get(family=access.family, pk=pk)).made


def request_withdraw(
    *, access: FamilyAccess, request: Request, at: datetime | None = None
) -> Request:
    """The asker takes back a request still waiting for an answer."""
    access.require_parent()
    if request.asked_by_id != access.membership.user_id:
        raise RequestProblem(_("Only the parent who asked can withdraw a request."))
    at = at or timezone.now()
    with transaction.atomic():
        request = _locked(access, request, at)
        request.status = RequestStatus.WITHDRAWN
        request.answered_at = at
        request.save(update_fields=["status", "answered_at"])
        record_append(
            family=access.family,
            kind=EntryKind.REQUEST_WITHDRAWN,
            actor=access.membership.user,
            data={"id": str(request.pk), "kind": request.kind, "title": request.title},
            at=at,
        )
    return request


def request_comment(
    *,
    access: FamilyAccess,
    request: Request,
    text: str,
    kind: str = CommentKind.COMMENT,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Comment:
    """A parent or a consented professional comments; only a professional proposes a
    resolution (a mediator's suggestion, never an answer on a parent's behalf). With an
    `idempotency_key` a retry returns the first comment and adds nothing to the thread."""
    access.require_shared()
    at = at or timezone.now()
    once = idempotency.once(
        access=access,
        key=idempotency_key,
        operation="request_comment",
        fields={"request": str(request.pk), "text": text, "kind": kind},
    )

    def work() -> Comment:
        nonlocal text  # cleaned here
        problems: list[Problem] = []
        text = _words(text, "text", COMMENT_MAX_CHARS, problems, required=_("Write your comment."))
        if kind not in CommentKind.values:
            problems.append(("kind", _("Choose a comment or a proposed resolution.")))
        elif kind == CommentKind.RESOLUTION and not access.is_professional:
            problems.append(("kind", _("A professional proposes resolutions; comment instead.")))
        if problems:
            raise RequestProblem(problems)
        with transaction.atomic():
            comment = Comment.objects.create(
                family=access.family,
                request=request,
                author=access.membership.user,
                kind=kind,
                text=text,
                created_at=at,
            )
            once.remember(comment.pk)
            record_append(
                family=access.family,
                kind=EntryKind.REQUEST_COMMENTED,
                actor=access.membership.user,
                data={
                    "id": str(request.pk),
                    "title": request.title,
                    "comment": comment.pk,
                    "comment_kind": kind,
                    "text": text,
                },
                at=at,
            )
        return comment

    # A twin request with the same key, at the same instant, gets the first comment.
    return once.attempt(
        work, lambda pk: Comment.objects.get(family=access.family, request=request, pk=pk)
    ).made


# --- the clock: reminders and expiry (tasks.scan_requests) -------------------------------------


def _asker_access(request: Request) -> FamilyAccess | None:
    """The asker's seat, through which the expiry applies what silence approved; None when the
    asker left the family."""
    membership = (
        Membership.objects.active()
        .parents()
        .filter(family_id=request.family_id, user_id=request.asked_by_id)
        .select_related("family", "user")
        .first()
    )
    return FamilyAccess(family=membership.family, membership=membership) if membership else None


def expire_due(*, now: datetime | None = None, family: Family | None = None) -> int:
    """Every pending request whose answer was due by `now` expires, once: under a lock, as
    answers are, so an answer and the expiry never both happen. Where a signed clause says what
    silence means for the kind, it applies (an approved-by-silence swap changes the calendar)
    and the request names the clause. Returns how many expired."""
    now = now or timezone.now()
    done = 0
    due = Request.objects.filter(status=RequestStatus.PENDING, due_at__lte=now)
    if family is not None:  # one family's story (the demo), never the others' clocks
        due = due.filter(family=family)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            request = (
                Request.objects.select_for_update(of=("self",))
                .filter(pk=pk)
                .select_related("family")
                .first()
            )
            if request is None or request.status != RequestStatus.PENDING or request.due_at > now:
                continue  # answered, or expired by another run, in the meantime
            silence = terms_in_force(request.family, now).silence_for(RequestKind(request.kind))
            data: dict[str, Any] = {
                "id": str(request.pk),
                "kind": request.kind,
                "title": request.title,
                "outcome": "",
            }
            if silence is not None:
                rule, ref = silence
                request.silence_outcome = rule.outcome
                request.clause = {
                    "clause_id": ref.clause_id,
                    "version": ref.version,
                    "title": ref.title,
                }
                data["outcome"] = rule.outcome
                data["clause"] = request.clause
            request.status = RequestStatus.EXPIRED
            request.answered_at = now
            request.save(update_fields=["status", "answered_at", "silence_outcome", "clause"])
            record_append(
                family=request.family, kind=EntryKind.REQUEST_EXPIRED, actor=None, data=data, at=now
            )
            if request.silence_outcome == "approve":
                access = _asker_access(request)
                if access is not None:
                    _apply(access, request, now, automatic=True)
            done += 1
    return done


def remind_due(*, now: datetime | None = None) -> int:
    """A reminder to the parent asked, 48 and 24 hours before a pending request falls due
    (REMINDER_HOURS), each once: the (request, hours) row and the record entry commit together,
    and a second run, or a second worker, finds the row. A scan that ran late sends only the
    nearest reminder. Returns how many it sent."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=max(REMINDER_HOURS))
    sent = 0
    waiting = Request.objects.filter(
        status=RequestStatus.PENDING, due_at__gt=now, due_at__lte=horizon
    )
    for request in waiting.select_related("family"):
        leads = [h for h in REMINDER_HOURS if request.due_at - timedelta(hours=h) <= now]
        # Leads the request was made inside of (asked with a day to answer) are not owed.
        leads = [h for h in leads if request.due_at - timedelta(hours=h) >= request.created_at]
        if not leads:
            continue
        nearest = min(leads)
        try:
            with transaction.atomic():
                locked = (
                    Request.objects.select_for_update(of=("self",)).filter(pk=request.pk).first()
                )
                if locked is None or locked.status != RequestStatus.PENDING:
                    continue
                sent_before = set(
                    ReminderSent.objects.filter(request=request).values_list("hours", flat=True)
                )
                if nearest in sent_before:
                    continue
                ReminderSent.objects.bulk_create(
                    ReminderSent(request=request, hours=h, sent_at=now)
                    for h in leads
                    if h not in sent_before
                )
                record_append(
                    family=request.family,
                    kind=EntryKind.REQUEST_REMINDED,
                    actor=None,
                    data={
                        "id": str(request.pk),
                        "title": request.title,
                        "hours": nearest,
                        "due_at": request.due_at.isoformat(),
                    },
                    at=now,
                )
                sent += 1
        except IntegrityError:
            continue  # another worker sent it between our check and our insert
    return sent

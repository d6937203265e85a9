"""Exchanges: the hand-overs the plan sets, what each parent tapped at them, and their notes.

Parents and consented professionals read (a viewer sees exchanges on the calendar only: 403);
only the two parents of an exchange check in, and only parents write notes. An exchange is
named by its planned instant in UTC (`key`, "20270604T230000Z"). No answer carries a location:
a check-in says only whether one was shared.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.endpoints.messages import (
    file_problems_as_field_errors,
    files_part,
    read_uploads,
    require_form,
)
from coparent.api.idempotency import key_header
from coparent.api.schemas import Day, In, Moment, PersonRef, answers
from coparent.core.schedule.outcome import Kind as OutcomeKind
from coparent.core.schedule.outcome import Outcome
from coparent.core.zones import zone_or_utc
from coparent.exchanges import selectors, services
from coparent.exchanges.models import NOTE_MAX_CHARS, CheckIn, Note, PickupPass, Step
from coparent.exchanges.selectors import ExchangeRow
from coparent.infra import ratelimit
from coparent.infra.errors import DomainError
from coparent.web.zones import reading_in

router = Router(tags=["exchanges"])

# A quarter at most per call: the schedule is expanded for the whole window.
MAX_WINDOW = timedelta(days=92)


class CheckInOut(Schema):
    id: uuid.UUID
    user: PersonRef
    step: Step
    at: datetime = Field(..., description="The server's time of the tap.")
    location_shared: bool = Field(..., description="Whether a location came with it; never where.")
    at_place: bool | None = Field(
        ..., description="Whether it was at the exchange place; null without a position or a pin."
    )


class PhotoOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str = Field(..., description="Of the file as kept; the family record holds it too.")


class NoteOut(Schema):
    id: uuid.UUID
    author: PersonRef
    text: str
    at: datetime
    follows: uuid.UUID | None
    photos: list[PhotoOut] = Field(..., description="Sent to …/notes/upload as `files`.")


class ExchangeOutcomeOut(Schema):
    kind: OutcomeKind = Field(
        ..., description="on_time, late, missed, changed (by an approved request) or pending."
    )
    phase: str | None = Field(None, description="For a pending one: upcoming, due or overdue.")
    minutes_late: int | None = Field(None, description="Late by, or overdue by so far.")
    completed_at: datetime | None = Field(
        None, description="The server's time of the tap that completed the handover."
    )


class ExchangeDetailOut(Schema):
    key: str = Field(..., description="The planned instant in UTC, as the exchange's name.")
    planned_at: datetime
    from_parent: str = Field(..., description="The plan's letter of the parent handing over.")
    to_parent: str
    giver: str = Field(..., description="The name of the parent handing over.")
    receiver: str
    place: str
    why: str = Field(..., description="rotation, a holiday's name, an override's note.")
    in_plan: bool = Field(..., description="False: recorded at a time the plan no longer has.")
    changed_by: str = Field(
        "", description="The approved change (a swap's, a trip's label) that took it out."
    )
    outcome: ExchangeOutcomeOut | None = Field(
        None, description="None until someone checked in or wrote (nothing recorded)."
    )
    check_ins: list[CheckInOut]
    notes: list[NoteOut]


class ExchangeFilters(Schema):
    start: Moment | None = Field(None, alias="from", description="Default: two weeks ago.")
    end: Moment | None = Field(None, alias="to", description="Default: four weeks ahead.")


class CheckInIn(In):
    step: Step
    latitude: float | None = Field(None, description="Kept to about 100 m; never shown.")
    longitude: float | None = None
    pin_place: bool = Field(False, description="Mark this position as the exchange place.")


class NoteIn(In):
    text: str = Field(..., max_length=NOTE_MAX_CHARS * 30)
    follows: uuid.UUID | None = Field(None, description="An earlier note of yours it corrects.")


def _check_in_out(check_in: CheckIn) -> CheckInOut:
    return CheckInOut(
        id=check_in.pk,
        user=PersonRef.of(check_in.user),
        step=Step(check_in.step),
        at=check_in.at,
        location_shared=check_in.location_shared,
        at_place=check_in.at_place,
    )


def _note_out(note: Note) -> NoteOut:
    return NoteOut(
        id=note.pk,
        author=PersonRef.of(note.author),
        text=note.text,
        at=note.at,
        follows=note.follows_id,
        photos=[
            PhotoOut(
                id=p.pk, name=p.name, content_type=p.content_type, size=p.size, sha256=p.sha256
            )
            for p in note.photos.all()
        ],
    )


def _outcome_out(outcome: Outcome | None) -> ExchangeOutcomeOut | None:
    if outcome is None:
        return None
    return ExchangeOutcomeOut(
        kind=OutcomeKind(outcome.kind),
        phase=outcome.phase,
        minutes_late=outcome.minutes_late,
        completed_at=outcome.completion.at if outcome.completion else None,
    )


def _out(row: ExchangeRow) -> ExchangeDetailOut:
    return ExchangeDetailOut(
        key=row.key,
        planned_at=row.planned_at,
        from_parent=row.from_parent,
        to_parent=row.to_parent,
        giver=row.giver_name,
        receiver=row.receiver_name,
        place=row.place,
        why=row.why,
        in_plan=row.in_plan,
        changed_by=row.changed_by,
        outcome=_outcome_out(row.outcome),
        check_ins=[_check_in_out(c) for c in row.check_ins],
        notes=[_note_out(n) for n in row.notes],
    )


def _planned_at(key: str) -> datetime:
    moment = selectors.parse_key(key)
    if moment is None:
        raise Http404("No such exchange.")
    return moment


@router.get(
    "/families/{uuid:family_id}/exchanges",
    response=answers({200: list[ExchangeDetailOut]}, 400, 403, 404, 422),
    summary="The exchanges of a window, with check-ins and notes (parents, professionals)",
    description="`from` and `to` select [from, to), at most 92 days; by default two weeks back "
    "and four ahead.",
)
def exchange_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[ExchangeFilters]
) -> list[ExchangeDetailOut]:
    access = family_access(request, family_id)
    now = timezone.now()
    start = filters.start or now - timedelta(days=14)
    end = filters.end or now + timedelta(days=28)
    if end <= start:
        raise DomainError(_("The end of the window must come after its start."), field="to")
    if end - start > MAX_WINDOW:
        raise DomainError(_("Ask for at most 92 days at a time."), field="to")
    return [_out(row) for row in selectors.exchanges_between(access, start, end)]


@router.get(
    "/families/{uuid:family_id}/exchanges/{key}",
    response=answers({200: ExchangeDetailOut}, 403, 404),
    summary="One exchange by its key, with check-ins and notes",
)
def exchange_detail(request: HttpRequest, family_id: uuid.UUID, key: str) -> ExchangeDetailOut:
    access = family_access(request, family_id)
    row = selectors.exchange_at(access, _planned_at(key))
    if row is None:
        raise Http404("No such exchange.")
    return _out(row)


@router.post(
    "/families/{uuid:family_id}/exchanges/{key}/check-ins",
    response=answers({201: CheckInOut}, 400, 403, 404, 422),
    summary="Check in at an exchange: arrived, handed_over or received (its two parents)",
)
def exchange_check_in(
    request: HttpRequest, family_id: uuid.UUID, key: str, payload: CheckInIn
) -> Status[CheckInOut]:
    access = family_access(request, family_id)
    made = services.check_in(
        access=access,
        planned_at=_planned_at(key),
        step=payload.step.value,
        latitude=payload.latitude,
        longitude=payload.longitude,
        pin_place=payload.pin_place,
    )
    return Status(201, _check_in_out(made))


@router.post(
    "/families/{uuid:family_id}/exchanges/{key}/notes/upload",
    response=answers({201: NoteOut}, 400, 403, 404, 409, 415, 422, 429),
    summary="Write a note on an exchange with photos or PDFs (multipart/form-data)",
)
def exchange_note_upload(
    request: HttpRequest,
    family_id: uuid.UUID,
    key: str,
    text: Annotated[str, Form(..., max_length=NOTE_MAX_CHARS * 30)] = "",
    follows: Annotated[uuid.UUID | None, Form(None)] = None,
    uploads: Annotated[list[UploadedFile], files_part()] = [],  # noqa: B006
    idempotency_key: str | None = key_header("the first note"),
) -> Status[NoteOut]:
    access = family_access(request, family_id)
    access.require_parent()
    require_form(request, f"/api/v1/families/{family_id}/exchanges/{key}/notes")
    ratelimit.hit(request, "upload", cost=len(uploads))
    with file_problems_as_field_errors("photos"):
        note = services.note_add(
            access=access,
            planned_at=_planned_at(key),
            text=text,
            follows=follows,
            photos=read_uploads(uploads),
            idempotency_key=idempotency_key,
        )
    return Status(201, _note_out(note))


@router.post(
    "/families/{uuid:family_id}/exchanges/{key}/notes",
    response=answers({201: NoteOut}, 400, 403, 404, 409, 422),
    summary="Write a note on an exchange (parents); it can never be changed, only followed",
)
def exchange_note(
    request: HttpRequest,
    family_id: uuid.UUID,
    key: str,
    payload: NoteIn,
    idempotency_key: str | None = key_header("the first note"),
) -> Status[NoteOut]:
    access = family_access(request, family_id)
    note = services.note_add(
        access=access,
        planned_at=_planned_at(key),
        text=payload.text,
        follows=payload.follows,
        idempotency_key=idempotency_key,
    )
    return Status(201, _note_out(note))


# --- pickup passes -----------------------------------------------------------------------------


class PassOut(Schema):
    id: uuid.UUID
    children: list[str] = Field(..., description="First names, as the pass shows them.")
    parent: str = Field(..., description="The first name of the parent the pass names.")
    starts_at: datetime
    ends_at: datetime
    issued_at: datetime
    issued_by: PersonRef
    revoked_at: datetime | None
    link: str = Field(..., description="The public check page; its QR code carries the same.")


class PassIn(In):
    children: list[uuid.UUID] = Field(..., min_length=1, max_length=8)
    starts_at: Moment
    ends_at: Moment


def _pass_out(issued: PickupPass) -> PassOut:
    revocation = getattr(issued, "revocation", None)
    return PassOut(
        id=issued.pk,
        children=list(issued.children),
        parent=issued.parent_name,
        starts_at=issued.starts_at,
        ends_at=issued.ends_at,
        issued_at=issued.issued_at,
        issued_by=PersonRef.of(issued.issued_by),
        revoked_at=revocation.at if revocation else None,
        link=settings.BASE_URL + reverse("pass_check", kwargs={"token": issued.token}),
    )


@router.get(
    "/families/{uuid:family_id}/passes",
    response=answers({200: list[PassOut]}, 403, 404),
    summary="The family's pickup passes, newest first (parents, professionals)",
)
def pass_list(request: HttpRequest, family_id: uuid.UUID) -> list[PassOut]:
    access = family_access(request, family_id)
    return [_pass_out(p) for p in selectors.passes(access)]


@router.post(
    "/families/{uuid:family_id}/passes",
    response=answers({201: PassOut}, 400, 403, 404, 409, 422),
    summary="Issue a pickup pass for a window the plan gives you (parents)",
)
def pass_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: PassIn,
    idempotency_key: str | None = key_header("the first pass"),
) -> Status[PassOut]:
    access = family_access(request, family_id)
    made = services.pass_issue(
        access=access,
        children=payload.children,
        start=payload.starts_at,
        end=payload.ends_at,
        idempotency_key=idempotency_key,
    )
    return Status(201, _pass_out(selectors.get_pass(access, made.pk)))


@router.post(
    "/families/{uuid:family_id}/passes/{uuid:pass_id}/revoke",
    response=answers({200: PassOut}, 400, 403, 404),
    summary="Revoke a pickup pass (parents); its check page says revoked from now on",
)
def pass_revoke(request: HttpRequest, family_id: uuid.UUID, pass_id: uuid.UUID) -> PassOut:
    access = family_access(request, family_id)
    access.require_parent()
    services.pass_revoke(access=access, pickup=selectors.get_pass(access, pass_id))
    return _pass_out(selectors.get_pass(access, pass_id))


# --- planned beside actual ---------------------------------------------------------------------


class ShareOut(Schema):
    method: str = Field(..., description="overnights or hours")
    parent: str
    planned: float
    actual: float
    moved: float


class ExchangeCountsOut(Schema):
    parent: str
    on_time: int
    late: int
    missed: int


class ActualOut(Schema):
    first: date
    stop: date = Field(..., description="Not included.")
    through: datetime = Field(..., description="What happened is known up to here.")
    shares: list[ShareOut]
    differences: list[str] = Field(..., description="Each difference from the plan and why.")
    exchanges: list[ExchangeCountsOut]


class ActualFilters(Schema):
    first: Day | None = Field(None, alias="from", description="Default: four weeks ago.")
    stop: Day | None = Field(None, alias="to", description="Not included. Default: tomorrow.")


@router.get(
    "/families/{uuid:family_id}/timeshare/actual",
    response=answers({200: ActualOut}, 400, 403, 404, 422),
    summary="The time-share planned and as it happened, with each difference and why",
    description="Local dates [from, to) in the family's zone, at most 366 days. Exchanges "
    "nobody checked in at count as planned.",
)
def timeshare_actual(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[ActualFilters]
) -> ActualOut:
    access = family_access(request, family_id)
    access.require_shared()
    zone = zone_or_utc(access.family.timezone)
    today = timezone.now().astimezone(zone).date()
    first = filters.first or today - timedelta(days=27)
    stop = filters.stop or max(today + timedelta(days=1), first + timedelta(days=1))
    if stop <= first:
        raise DomainError(_("The end must come after the start."), field="to")
    if (stop - first).days > 366:
        raise DomainError(_("Ask for at most 366 days at a time."), field="to")
    with reading_in(zone):
        shown = selectors.planned_and_actual(access, first, stop, zone)
    return ActualOut(
        first=shown.first,
        stop=shown.stop,
        through=shown.through,
        shares=[
            ShareOut(
                method=r.method, parent=r.name, planned=r.planned, actual=r.actual, moved=r.moved
            )
            for r in shown.rows
        ],
        differences=shown.reasons,
        exchanges=[
            ExchangeCountsOut(parent=name, on_time=on_time, late=late, missed=missed)
            for name, on_time, late, missed in shown.summary_rows
        ],
    )

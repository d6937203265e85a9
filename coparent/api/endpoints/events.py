"""Children's events: list, add, read, change, cancel, and each parent's RSVP.

Every member reads events (viewers too: their role is the calendar and the children's events),
but `rsvps` and `created_by` are null for a viewer. Only parents write (403 for the others).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.schemas import In, Moment, Offset, PersonRef, answers, omitted
from coparent.core.zones import ZONE_MAX_CHARS
from coparent.events import selectors, services
from coparent.events.models import (
    NOTES_MAX_CHARS,
    PLACE_MAX_CHARS,
    RSVP_NOTE_MAX_CHARS,
    TITLE_MAX_CHARS,
    Answer,
    ChildEvent,
    EventKind,
    EventStatus,
    Rsvp,
)
from coparent.families.selectors import FamilyAccess, child_name_for, get_child

router = Router(tags=["events"])

MAX_PAGE = 500

# --- Shapes ------------------------------------------------------------------------------------


class EventChildOut(Schema):
    id: uuid.UUID
    name: str = Field(..., description="The full name; a viewer receives the first name only.")


class RsvpOut(Schema):
    user: PersonRef
    answer: Answer
    note: str
    answered_at: datetime


class EventOut(Schema):
    id: uuid.UUID
    title: str
    kind: EventKind
    status: EventStatus
    children: list[EventChildOut]
    all_day: bool
    starts_at: datetime = Field(..., description="The instant it starts (UTC).")
    ends_at: datetime = Field(..., description="The instant it ends (UTC), excluded.")
    local_starts_at: str = Field(..., description="The start in `timezone`, with its offset.")
    local_ends_at: str = Field(..., description="The end in `timezone`, with its offset.")
    start_date: date | None = Field(None, description="First day of an all-day event.")
    end_date: date | None = Field(None, description="Last day of an all-day event (included).")
    timezone: str = Field(..., description="IANA zone of the event, e.g. Europe/Paris.")
    place: str
    notes: str
    sequence: int = Field(..., description="Raised by one at each change (iCalendar SEQUENCE).")
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str
    created_by: PersonRef | None = Field(None, description="Null for a viewer.")
    rsvps: list[RsvpOut] | None = Field(
        None, description="Each parent's answer so far; null for a viewer."
    )


class EventPageOut(Schema):
    items: list[EventOut]
    count: int = Field(..., description="How many events match, over all pages.")


class EventFilters(Schema):
    start: Moment | None = Field(
        None,
        alias="from",
        description="Events still going on at or after this moment. A date (2027-06-01) or a "
        "date-time without an offset is read as UTC.",
    )
    end: Moment | None = Field(
        None, alias="to", description="Events starting before this moment (excluded); as `from`."
    )
    child: uuid.UUID | None = Field(None, description="Only this child's events.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: Offset = 0


class EventIn(In):
    title: str = Field(..., max_length=TITLE_MAX_CHARS)
    kind: EventKind = EventKind.OTHER
    children: list[uuid.UUID] = Field(..., max_length=50, description="At least one child.")
    timezone: str = Field("UTC", max_length=ZONE_MAX_CHARS, description="An IANA zone name.")
    all_day: bool = False
    starts_at: datetime | None = Field(
        None, description="For a timed event. Without an offset: a clock time in `timezone`."
    )
    ends_at: datetime | None = Field(None, description="For a timed event; as `starts_at`.")
    start_date: date | None = Field(None, description="For an all-day event.")
    end_date: date | None = Field(
        None, description="For an all-day event of several days: the last day (included)."
    )
    place: str = Field("", max_length=PLACE_MAX_CHARS)
    notes: str = Field("", max_length=NOTES_MAX_CHARS)


class EventPatch(In):
    title: str = omitted(max_length=TITLE_MAX_CHARS)
    kind: EventKind = omitted()
    children: list[uuid.UUID] = omitted(max_length=50)
    timezone: str = omitted(max_length=ZONE_MAX_CHARS)
    all_day: bool = omitted()
    starts_at: datetime = omitted()
    ends_at: datetime = omitted()
    start_date: date = omitted()
    end_date: date = omitted()
    place: str = omitted(max_length=PLACE_MAX_CHARS)
    notes: str = omitted(max_length=NOTES_MAX_CHARS)


class CancelIn(In):
    reason: str = Field("", max_length=RSVP_NOTE_MAX_CHARS)


class RsvpIn(In):
    answer: Answer
    note: str = Field("", max_length=RSVP_NOTE_MAX_CHARS)


# --- Helpers -----------------------------------------------------------------------------------


def _rsvp_out(rsvp: Rsvp) -> RsvpOut:
    return RsvpOut(
        user=PersonRef.of(rsvp.user),
        answer=Answer(rsvp.answer),
        note=rsvp.note,
        answered_at=rsvp.answered_at,
    )


def _event_out(access: FamilyAccess, event: ChildEvent) -> EventOut:
    shared = selectors.sees_rsvps(access)
    return EventOut(
        id=event.pk,
        title=event.title,
        kind=EventKind(event.kind),
        status=EventStatus(event.status),
        children=[
            EventChildOut(id=c.pk, name=child_name_for(access, c)) for c in event.children.all()
        ],
        all_day=event.all_day,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        local_starts_at=event.local_start.isoformat(),
        local_ends_at=event.local_end.isoformat(),
        start_date=event.start_date,
        end_date=event.end_date,
        timezone=event.timezone,
        place=event.place,
        notes=event.notes,
        sequence=event.sequence,
        created_at=event.created_at,
        updated_at=event.updated_at,
        cancelled_at=event.cancelled_at,
        cancel_reason=event.cancel_reason,
        created_by=PersonRef.of(event.created_by) if shared else None,
        rsvps=[_rsvp_out(r) for r in selectors.rsvp_list(event)] if shared else None,
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=UTC)


def _service_arguments(payload: dict[str, Any]) -> dict[str, Any]:
    """The API's field names as the services take them (only the zone's name differs)."""
    if "timezone" in payload:
        payload["timezone_name"] = payload.pop("timezone")
    return payload


def _reload(access: FamilyAccess, event: ChildEvent) -> EventOut:
    # Read back through the selector, so the answer has the same shape as a GET.
    return _event_out(access, selectors.get_event(access, event.pk))


# --- Operations ----------------------------------------------------------------------------------


@router.get(
    "/families/{uuid:family_id}/events",
    response=answers({200: EventPageOut}, 404, 422),
    summary="The children's events, earliest first (every member), paginated",
    description=(
        "`from` and `to` select the events overlapping [from, to); either may be left out. "
        'Cancelled events are included with `status` "cancelled".'
    ),
)
def event_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[EventFilters]
) -> EventPageOut:
    access = family_access(request, family_id)
    child = get_child(access, filters.child) if filters.child else None
    events = selectors.events_in_range(
        access, start=_aware(filters.start), end=_aware(filters.end), child=child
    )
    count = events.count()
    page = list(events[filters.offset : filters.offset + filters.limit]) if count else []
    return EventPageOut(items=[_event_out(access, e) for e in page], count=count)


@router.post(
    "/families/{uuid:family_id}/events",
    response=answers({201: EventOut}, 400, 403, 404, 422),
    summary="Add a child's event (parents only); the other parent is emailed",
)
def event_create(request: HttpRequest, family_id: uuid.UUID, payload: EventIn) -> Status[EventOut]:
    access = family_access(request, family_id)
    event = services.event_add(access=access, **_service_arguments(payload.model_dump()))
    return Status(201, _reload(access, event))


@router.get(
    "/families/{uuid:family_id}/events/{uuid:event_id}",
    response=answers({200: EventOut}, 404),
    summary="One event, with each parent's answer",
)
def event_detail(request: HttpRequest, family_id: uuid.UUID, event_id: uuid.UUID) -> EventOut:
    access = family_access(request, family_id)
    return _event_out(access, selectors.get_event(access, event_id))


@router.patch(
    "/families/{uuid:family_id}/events/{uuid:event_id}",
    response=answers({200: EventOut}, 400, 403, 404, 422),
    summary="Change an event (parents only); what changed is recorded and the other parent told",
    description=(
        "Fields left out keep their values. Changing only `timezone` keeps the clock times, "
        "so a time typed in the wrong zone can be corrected."
    ),
)
def event_update(
    request: HttpRequest, family_id: uuid.UUID, event_id: uuid.UUID, payload: EventPatch
) -> EventOut:
    access = family_access(request, family_id)
    access.require_parent()
    event = selectors.get_event(access, event_id)
    # What was sent (checked by EventPatch) over what the event is now.
    arguments: dict[str, Any] = {
        **services.current_details(event),
        **_service_arguments(payload.model_dump(exclude_unset=True)),
    }
    event = services.event_update(access=access, event=event, **arguments)
    return _reload(access, event)


@router.post(
    "/families/{uuid:family_id}/events/{uuid:event_id}/cancel",
    response=answers({200: EventOut}, 400, 403, 404, 422),
    summary="Cancel an event (parents only); it stays, marked cancelled",
)
def event_cancel(
    request: HttpRequest,
    family_id: uuid.UUID,
    event_id: uuid.UUID,
    payload: CancelIn | None = None,
) -> EventOut:
    access = family_access(request, family_id)
    access.require_parent()
    event = selectors.get_event(access, event_id)
    reason = payload.reason if payload is not None else ""
    return _reload(access, services.event_cancel(access=access, event=event, reason=reason))


@router.put(
    "/families/{uuid:family_id}/events/{uuid:event_id}/rsvp",
    response=answers({200: RsvpOut}, 400, 403, 404, 422),
    summary="Give or change your answer: yes, no or maybe (parents only)",
)
def event_rsvp(
    request: HttpRequest, family_id: uuid.UUID, event_id: uuid.UUID, payload: RsvpIn
) -> RsvpOut:
    access = family_access(request, family_id)
    access.require_parent()
    event = selectors.get_event(access, event_id)
    rsvp = services.rsvp_set(access=access, event=event, answer=payload.answer, note=payload.note)
    return _rsvp_out(rsvp)

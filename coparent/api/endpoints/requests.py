"""Requests between the parents: list, read, make, approve, decline, counter, withdraw, comment.

Parents and consented professionals read them (a viewer gets 403); parents ask and answer; a
professional comments and proposes resolutions. An answer to a request no longer waiting
(answered, withdrawn, expired) is 409 and changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.idempotency import key_header
from coparent.api.schemas import In, Offset, PersonRef, answers
from coparent.families.selectors import FamilyAccess, child_name_for, get_child
from coparent.requests import selectors, services
from coparent.requests.models import (
    COMMENT_MAX_CHARS,
    DETAILS_MAX_CHARS,
    PLACE_MAX_CHARS,
    REASON_MAX_CHARS,
    TITLE_MAX_CHARS,
    Comment,
    CommentKind,
    Request,
    RequestStatus,
    RequestType,
)

router = Router(tags=["requests"])

MAX_PAGE = 500

# --- Shapes ------------------------------------------------------------------------------------


class ChildRef(Schema):
    id: uuid.UUID
    name: str


class RequestClauseOut(Schema):
    clause_id: str
    version: int
    title: str


class CommentOut(Schema):
    id: int
    author: PersonRef
    kind: CommentKind
    text: str
    created_at: datetime


class RequestOut(Schema):
    id: uuid.UUID
    kind: RequestType
    title: str
    details: str
    children: list[ChildRef]
    status: RequestStatus
    outcome: str = Field(..., description='In words: "Expired — counts as approved under …".')
    asked_by: PersonRef
    created_at: datetime
    due_at: datetime
    starts_at: datetime | None
    ends_at: datetime | None
    custody_to: PersonRef | None = Field(
        None, description="Who has the children from `starts_at` to `ends_at` when approved."
    )
    destination: str
    itinerary: str
    contact: str
    clause: RequestClauseOut | None = Field(
        None, description="The agreement's clause it relies on."
    )
    counter_of: uuid.UUID | None
    answered_by: PersonRef | None
    answered_at: datetime | None
    reason: str


class RequestDetailOut(RequestOut):
    comments: list[CommentOut]
    counters: list[uuid.UUID]


class RequestPageOut(Schema):
    items: list[RequestOut]
    count: int = Field(..., description="How many requests match, over all pages.")


class RequestFilters(Schema):
    decided: bool = Field(False, description="The decided requests instead of those waiting.")
    kind: RequestType | None = None
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: Offset = 0


class RequestIn(In):
    kind: RequestType
    title: str = Field(..., max_length=TITLE_MAX_CHARS)
    details: str = Field("", max_length=DETAILS_MAX_CHARS)
    children: list[uuid.UUID] = Field(..., max_length=50, description="At least one child.")
    due_at: datetime | None = Field(
        None, description="When the answer is due; by default by kind, never after the start."
    )
    starts_at: datetime | None = Field(
        None, description="A swap or a trip. Without an offset: UTC."
    )
    ends_at: datetime | None = None
    custody_to: str = Field(
        "",
        max_length=5,
        description='A swap: "me" (default) or "other" has the children then. A trip: "me" '
        "when the children travel with you (custody changes), empty when it keeps the plan.",
    )
    destination: str = Field("", max_length=PLACE_MAX_CHARS)
    itinerary: str = Field("", max_length=DETAILS_MAX_CHARS)
    contact: str = Field("", max_length=DETAILS_MAX_CHARS)


class RequestDeclineIn(In):
    reason: str = Field(..., max_length=REASON_MAX_CHARS)


class CounterIn(In):
    details: str = Field(..., max_length=DETAILS_MAX_CHARS)
    title: str = Field("", max_length=TITLE_MAX_CHARS)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    due_at: datetime | None = None


class CommentIn(In):
    text: str = Field(..., max_length=COMMENT_MAX_CHARS)
    kind: CommentKind = CommentKind.COMMENT


# --- Helpers -----------------------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=UTC)


def _fields(access: FamilyAccess, item: Request) -> dict[str, Any]:
    clause = item.clause
    return {
        "id": item.pk,
        "kind": RequestType(item.kind),
        "title": item.title,
        "details": item.details,
        "children": [
            ChildRef(id=c.pk, name=child_name_for(access, c)) for c in item.children.all()
        ],
        "status": RequestStatus(item.status),
        "outcome": item.outcome_text,
        "asked_by": PersonRef.of(item.asked_by),
        "created_at": item.created_at,
        "due_at": item.due_at,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "custody_to": PersonRef.of(item.custody_to) if item.custody_to else None,
        "destination": item.destination,
        "itinerary": item.itinerary,
        "contact": item.contact,
        "clause": RequestClauseOut(**clause) if clause else None,
        "counter_of": item.counter_of_id,
        "answered_by": PersonRef.of(item.answered_by) if item.answered_by else None,
        "answered_at": item.answered_at,
        "reason": item.reason,
    }


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        author=PersonRef.of(comment.author),
        kind=CommentKind(comment.kind),
        text=comment.text,
        created_at=comment.created_at,
    )


def _detail(access: FamilyAccess, request_id: object) -> RequestDetailOut:
    page = selectors.request_page(access, request_id)
    return RequestDetailOut(
        **_fields(access, page.request),
        comments=[_comment_out(c) for c in page.comments],
        counters=[c.pk for c in page.counters],
    )


# --- Operations --------------------------------------------------------------------------------


@router.get(
    "/families/{uuid:family_id}/requests",
    response=answers({200: RequestPageOut}, 403, 404, 422),
    summary="Requests waiting for an answer (or decided ones), newest first",
)
def request_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[RequestFilters]
) -> RequestPageOut:
    access = family_access(request, family_id)
    rows = selectors.requests_list(
        access, decided=filters.decided, kind=filters.kind.value if filters.kind else ""
    )
    count = rows.count()
    page = list(rows[filters.offset : filters.offset + filters.limit]) if count else []
    return RequestPageOut(items=[RequestOut(**_fields(access, r)) for r in page], count=count)


@router.post(
    "/families/{uuid:family_id}/requests",
    response=answers({201: RequestDetailOut}, 400, 403, 404, 409, 422),
    summary="Ask the other parent (parents only); they are told at once",
)
def request_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: RequestIn,
    idempotency_key: str | None = key_header("the first request"),
) -> Status[RequestDetailOut]:
    access = family_access(request, family_id)
    access.require_parent()
    data = payload.model_dump()
    made = services.request_make(
        access=access,
        kind=data["kind"],
        title=data["title"],
        details=data["details"],
        children=[get_child(access, cid) for cid in dict.fromkeys(data["children"])],
        due_at=_aware(data["due_at"]),
        starts_at=_aware(data["starts_at"]),
        ends_at=_aware(data["ends_at"]),
        custody_to=data["custody_to"],
        destination=data["destination"],
        itinerary=data["itinerary"],
        contact=data["contact"],
        idempotency_key=idempotency_key,
    )
    return Status(201, _detail(access, made.pk))


@router.get(
    "/families/{uuid:family_id}/requests/{uuid:request_id}",
    response=answers({200: RequestDetailOut}, 403, 404),
    summary="One request with its comments and counter-proposals",
)
def request_detail(
    request: HttpRequest, family_id: uuid.UUID, request_id: uuid.UUID
) -> RequestDetailOut:
    return _detail(family_access(request, family_id), request_id)


@router.post(
    "/families/{uuid:family_id}/requests/{uuid:request_id}/approve",
    response=answers({200: RequestDetailOut}, 400, 403, 404, 409),
    summary="Approve (the other parent); a swap or a trip changes the calendar",
)
def request_approve(
    request: HttpRequest, family_id: uuid.UUID, request_id: uuid.UUID
) -> RequestDetailOut:
    access = family_access(request, family_id)
    access.require_parent()
    item = selectors.get_request(access, request_id)
    services.request_approve(access=access, request=item)
    return _detail(access, item.pk)


@router.post(
    "/families/{uuid:family_id}/requests/{uuid:request_id}/decline",
    response=answers({200: RequestDetailOut}, 400, 403, 404, 409, 422),
    summary="Decline with a reason (the other parent)",
)
def request_decline(
    request: HttpRequest, family_id: uuid.UUID, request_id: uuid.UUID, payload: RequestDeclineIn
) -> RequestDetailOut:
    access = family_access(request, family_id)
    access.require_parent()
    item = selectors.get_request(access, request_id)
    services.request_decline(access=access, request=item, reason=payload.reason)
    return _detail(access, item.pk)


@router.post(
    "/families/{uuid:family_id}/requests/{uuid:request_id}/counter",
    response=answers({201: RequestDetailOut}, 400, 403, 404, 409, 422),
    summary="Answer with other dates or terms: a new request back to the first parent",
)
def request_counter(
    request: HttpRequest,
    family_id: uuid.UUID,
    request_id: uuid.UUID,
    payload: CounterIn,
    idempotency_key: str | None = key_header("the first counter-proposal"),
) -> Status[RequestDetailOut]:
    access = family_access(request, family_id)
    access.require_parent()
    item = selectors.get_request(access, request_id)
    counter = services.request_counter(
        access=access,
        request=item,
        details=payload.details,
        title=payload.title,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        due_at=_aware(payload.due_at),
        idempotency_key=idempotency_key,
    )
    return Status(201, _detail(access, counter.pk))


@router.post(
    "/families/{uuid:family_id}/requests/{uuid:request_id}/withdraw",
    response=answers({200: RequestDetailOut}, 400, 403, 404, 409),
    summary="Withdraw your own request while it waits",
)
def request_withdraw(
    request: HttpRequest, family_id: uuid.UUID, request_id: uuid.UUID
) -> RequestDetailOut:
    access = family_access(request, family_id)
    access.require_parent()
    item = selectors.get_request(access, request_id)
    services.request_withdraw(access=access, request=item)
    return _detail(access, item.pk)


@router.post(
    "/families/{uuid:family_id}/requests/{uuid:request_id}/comments",
    response=answers({201: CommentOut}, 400, 403, 404, 409, 422),
    summary="Comment (parents and professionals); a professional may propose a resolution",
)
def request_comment(
    request: HttpRequest,
    family_id: uuid.UUID,
    request_id: uuid.UUID,
    payload: CommentIn,
    idempotency_key: str | None = key_header("the first comment"),
) -> Status[CommentOut]:
    access = family_access(request, family_id)
    item = selectors.get_request(access, request_id)
    comment = services.request_comment(
        access=access,
        request=item,
        text=payload.text,
        kind=payload.kind,
        idempotency_key=idempotency_key,
    )
    return Status(201, _comment_out(comment))

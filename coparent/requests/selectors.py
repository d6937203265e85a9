"""Reads of requests. Parents and consented professionals read them (`require_shared`);
viewers see none of it. Every lookup by id goes through `get_owned`: another family's request
is a 404 like a missing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coparent.core.agreement import (
    DECISION_OF_KIND,
    ClauseRef,
    Decision,
    RequestKind,
    warnings_for,
)
from coparent.families.selectors import FamilyAccess, get_owned
from coparent.requests.models import Comment, Request, RequestStatus
from coparent.requests.terms import terms_in_force

DECIDED = (
    RequestStatus.APPROVED,
    RequestStatus.DECLINED,
    RequestStatus.COUNTERED,
    RequestStatus.WITHDRAWN,
    RequestStatus.EXPIRED,
)


def _requests(access: FamilyAccess) -> QuerySet[Request]:
    return (
        Request.objects.filter(family=access.family)
        .select_related("asked_by", "answered_by", "custody_to")
        .prefetch_related("children")
    )


def requests_list(
    access: FamilyAccess, *, decided: bool = False, kind: str = ""
) -> QuerySet[Request]:
    """The family's requests waiting for an answer (or, `decided`, the others), newest first,
    of one `kind` when given; with the people and, once read, the children (a page of them
    costs two queries)."""
    access.require_shared()
    rows = _requests(access)
    rows = (
        rows.exclude(status=RequestStatus.PENDING)
        if decided
        else rows.filter(status=RequestStatus.PENDING)
    )
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "pk")


def get_request(access: FamilyAccess, request_id: object) -> Request:
    access.require_shared()
    return get_owned(_requests(access), access, request_id)


@dataclass(frozen=True)
class RequestPage:
    """A request with its thread: what it answers and what answered it, its comments, and what
    the member may do with it."""

    request: Request
    comments: list[Comment]
    counter_of: Request | None
    counters: list[Request]
    may_answer: bool  # the other parent, while it waits
    may_withdraw: bool  # the asker, while it waits
    may_resolve: bool  # a consented professional proposes a resolution
    warnings: list[tuple[Decision, ClauseRef]] = field(default_factory=list)


def request_page(
    access: FamilyAccess, request_id: object, *, now: datetime | None = None
) -> RequestPage:
    """Queries: the request (with its people), its children, its comments with their authors,
    what it counters and what countered it."""
    now = now or timezone.now()
    access.require_shared()
    request = get_owned(
        _requests(access).prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author"))
        ),
        access,
        request_id,
    )
    counter_of = (
        _requests(access).filter(pk=request.counter_of_id).first()
        if request.counter_of_id
        else None
    )
    counters = list(_requests(access).filter(counter_of=request).order_by("created_at"))
    waiting = request.status == RequestStatus.PENDING and request.due_at > now
    me = access.membership.user_id
    return RequestPage(
        request=request,
        comments=list(request.comments.all()),
        counter_of=counter_of,
        counters=counters,
        may_answer=waiting and access.is_parent and request.asked_by_id != me,
        may_withdraw=waiting and request.asked_by_id == me,
        may_resolve=access.is_professional,
        warnings=request_warnings(access, request.kind, f"{request.title} {request.details}", now),
    )


def request_warnings(
    access: FamilyAccess, kind: str, text: str, now: datetime | None = None
) -> list[tuple[Decision, ClauseRef]]:
    """The decisions the agreement reserves to both parents that the words of a request touch,
    besides the one its own kind is about (a "school" request about a phone): the form and the
    request's page say so beside the clause that reserves them."""
    terms = terms_in_force(access.family, now or timezone.now())
    own = DECISION_OF_KIND.get(RequestKind(kind))
    return [(d, ref) for d, ref in warnings_for(text, terms) if d != own]

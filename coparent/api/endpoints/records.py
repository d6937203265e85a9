"""The family record, page by page, exactly as it was hashed."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from coparent.api.endpoints.families import family_access
from coparent.api.schemas import Offset, RecordEntryOut, RecordFilters, answers
from coparent.records.models import RecordEntry
from coparent.records.selectors import record_entries

router = Router(tags=["record"])

MAX_PAGE = 500


class RecordPagination(LimitOffsetPagination):
    """`limit`/`offset` over `seq` order. The record only grows at its end, so a page once read
    never shifts: a client can resume from `offset = count` later."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE)
        offset: Offset = 0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE, **kwargs)


@router.get(
    "/families/{uuid:family_id}/record",
    response=answers({200: list[RecordEntryOut]}, 403, 404, 422),
    summary="Family record entries in seq order (parents and professionals), paginated",
    description=(
        "Filters: `kind`, `actor` (user id), `from` and `to` (UTC dates, inclusive). Each item "
        "carries the fields its `hash` covers, so a client can verify the chain itself."
    ),
)
@paginate(RecordPagination)
def record_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[RecordFilters]
) -> QuerySet[RecordEntry]:
    entries = record_entries(
        family_access(request, family_id),
        kind=filters.kind,
        actor_id=filters.actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    # The timeline reads newest first; the API pages in chain order, so a client can verify
    # each `prev` against the entry before it and resume where it stopped.
    return entries.order_by("seq")

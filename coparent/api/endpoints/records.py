"""The family record, page by page, exactly as it was hashed."""

import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from coparent.api.endpoints.families import family_access
from coparent.api.schemas import Offset, RecordEntryOut, RecordFilters, RecordPageOut, answers
from coparent.records.checkpoints import checkpoint_now
from coparent.records.disclosure import AS_STORED, entry_views
from coparent.records.selectors import record_entries

router = Router(tags=["record"])

MAX_PAGE = 500


class RecordPage(Schema):
    """`limit`/`offset` over `seq` order. The record only grows at its end, so a page once read
    never shifts: a client can resume from `offset = count` later."""

    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: Offset = 0


@router.get(
    "/families/{uuid:family_id}/record",
    response=answers({200: RecordPageOut}, 403, 404, 422),
    summary="Family record entries in seq order (parents and professionals), paginated",
    description=(
        "Filters: `kind`, `actor` (user id), `from` and `to` (UTC dates, inclusive). Each item "
        "carries the fields its `hash` covers, so a client can verify the chain itself; a "
        "message's content is sealed, and opened only for the people in its conversation."
    ),
)
def record_list(
    request: HttpRequest,
    family_id: uuid.UUID,
    filters: Query[RecordFilters],
    page: Query[RecordPage],
) -> RecordPageOut:
    access = family_access(request, family_id)
    entries = record_entries(
        access,
        kind=filters.kind,
        actor_id=filters.actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    count = entries.count()
    # The timeline reads newest first; the API pages in chain order, so a client can verify
    # each `prev` against the entry before it and resume where it stopped.
    rows = list(entries.order_by("seq")[page.offset : page.offset + page.limit])
    views = entry_views(
        access.family, access.membership.user, [(e.seq, e.kind, e.data) for e in rows]
    )
    items = []
    for entry in rows:
        view = views.get(entry.seq, AS_STORED)
        items.append(
            RecordEntryOut(
                seq=entry.seq,
                at=entry.at,
                kind=entry.kind,
                # The chain hashes the actor as the text of the user id, so that is what goes out.
                actor=None if entry.actor_id is None else str(entry.actor_id),
                data=None if view.withheld else entry.data,
                prev=entry.prev,
                hash=entry.hash,
                withheld=view.withheld,
                opened=view.opened,
            )
        )
    return RecordPageOut(items=items, count=count)


class CheckpointOut(Schema):
    seq: int = Field(..., description="How many entries the record held.")
    hash: str = Field(..., description="The hash of its last entry (64 zeros for none).")
    note: str = Field(
        ...,
        description=(
            "The signed checkpoint (transparency-log checkpoint form) to keep: "
            "`coparent verify EXPORT.json --checkpoint FILE` later proves the export extends it."
        ),
    )


@router.get(
    "/families/{uuid:family_id}/record/checkpoint",
    response=answers({200: CheckpointOut}, 403, 404),
    summary="A signed checkpoint of the record as it is now (parents and professionals)",
)
def record_checkpoint(request: HttpRequest, family_id: uuid.UUID) -> CheckpointOut:
    access = family_access(request, family_id)
    access.require_shared()
    signed = checkpoint_now(access.family)
    return CheckpointOut(seq=signed.seq, hash=signed.hash, note=signed.note)

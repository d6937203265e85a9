"""A parent's private journal (PRODUCT.md story 11), and the entries shared with a professional.

A parent's own journal answers only its author: another member's entry is the 404 of a missing
one (the lookup names the author in its query), and professionals and viewers get 403 on every
operation of a parent's journal. A professional reads `…/journal/shared`: the entries a parent
shared with them, while every parent consents. Creating accepts an `Idempotency-Key`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import field_validator

from coparent.api.endpoints.families import family_access
from coparent.api.endpoints.messages import (
    file_problems_as_field_errors,
    files_part,
    read_uploads,
    require_form,
)
from coparent.api.export_jobs import ExportJobOut, export_job_out
from coparent.api.idempotency import key_header, say_replayed
from coparent.api.schemas import Day, In, Offset, PersonRef, answers, no_control_characters
from coparent.families.selectors import FamilyAccess
from coparent.infra import ratelimit
from coparent.journal import selectors, services
from coparent.journal.models import TEXT_MAX_CHARS, Entry, ExportJob, LinkKind, Version
from coparent.records import jobs

router = Router(tags=["journal"])

PAGE_MAX = 200


class JournalFileOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str


class JournalLinkOut(Schema):
    kind: LinkKind
    id: str
    label: str


class JournalVersionOut(Schema):
    number: int = Field(..., description="1 for the first writing, then each correction.")
    written_at: datetime
    happened_on: date
    text: str
    tags: list[str]
    link: JournalLinkOut | None
    files: list[JournalFileOut]


class JournalEntryOut(Schema):
    id: uuid.UUID
    author: PersonRef
    versions: list[JournalVersionOut] = Field(..., description="Oldest first; the last is current.")
    shared_with: uuid.UUID | None = Field(
        None, description="The professional's membership id, for the author; null otherwise."
    )


class JournalRowOut(Schema):
    id: uuid.UUID
    happened_on: date
    text: str = Field(..., description="The current version's text.")
    tags: list[str]
    versions: int


class JournalFilters(Schema):
    q: str = Field("", max_length=200, description="Words of the text or the tags.")
    tag: str = Field("", max_length=50)
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: Offset = 0

    # PostgreSQL refuses NUL in text outright: a field error, not a database error.
    _clean_text = field_validator("q", "tag")(no_control_characters)


class JournalEntryIn(In):
    text: str = Field(..., max_length=TEXT_MAX_CHARS * 30)
    happened_on: Day | None = Field(None, description="Default: today in the family's zone.")
    tags: list[str] = Field(default_factory=list, max_length=50)
    link_kind: LinkKind | None = None
    link_id: str | None = Field(None, max_length=64)


class JournalCorrectionIn(In):
    text: str = Field(..., max_length=TEXT_MAX_CHARS * 30)
    happened_on: Day | None = Field(None, description="Default: as the current version has it.")
    tags: list[str] | None = Field(None, max_length=50, description="Default: unchanged.")


class JournalShareIn(In):
    professional: uuid.UUID = Field(..., description="A consented professional's membership id.")


def _version_out(version: Version) -> JournalVersionOut:
    return JournalVersionOut(
        number=version.number,
        written_at=version.written_at,
        happened_on=version.happened_on,
        text=version.text,
        tags=list(version.tags),
        link=JournalLinkOut(**version.link) if version.link else None,
        files=[
            JournalFileOut(
                id=f.pk, name=f.name, content_type=f.content_type, size=f.size, sha256=f.sha256
            )
            for f in version.files.all()
        ],
    )


def _entry_out(access: FamilyAccess, entry: Entry, *, own: bool = True) -> JournalEntryOut:
    shared = selectors.share_state(access, entry).professional if own else None
    return JournalEntryOut(
        id=entry.pk,
        author=PersonRef.of(entry.author),
        versions=[_version_out(v) for v in entry.versions.all()],
        shared_with=shared.pk if shared is not None and own else None,
    )


def _rows(versions: Any, filters: JournalFilters) -> list[JournalRowOut]:
    page = versions[filters.offset : filters.offset + filters.limit]
    return [
        JournalRowOut(
            id=v.entry_id,
            happened_on=v.happened_on,
            text=v.text,
            tags=list(v.tags),
            versions=v.number,
        )
        for v in page
    ]


@router.get(
    "/families/{uuid:family_id}/journal",
    response=answers({200: list[JournalRowOut]}, 403, 404, 422),
    summary="Your own journal entries, newest day first, searched (parents)",
)
def journal_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[JournalFilters]
) -> list[JournalRowOut]:
    access = family_access(request, family_id)
    versions = selectors.search(
        selectors.latest_versions(selectors.own_entries(access)), words=filters.q, tag=filters.tag
    )
    return _rows(versions, filters)


def _create(
    access: FamilyAccess,
    response: HttpResponse,
    key: str | None,
    **fields: Any,
) -> Status[JournalEntryOut]:
    written = services.entry_write_once(access=access, idempotency_key=key, **fields)
    say_replayed(response, written.replayed)
    return Status(201, _entry_out(access, selectors.get_own_entry(access, written.entry.pk)))


@router.post(
    "/families/{uuid:family_id}/journal",
    response=answers({201: JournalEntryOut}, 400, 403, 404, 409, 422),
    summary="Write an entry in your own journal (parents)",
)
def journal_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: JournalEntryIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[JournalEntryOut]:
    access = family_access(request, family_id)
    access.require_parent()
    return _create(
        access,
        response,
        idempotency_key,
        text=payload.text,
        happened_on=payload.happened_on,
        tags=payload.tags,
        link_kind=payload.link_kind or "",
        link_id=payload.link_id,
    )


@router.post(
    "/families/{uuid:family_id}/journal/upload",
    response=answers({201: JournalEntryOut}, 400, 403, 404, 409, 415, 422, 429),
    summary="Write an entry with photos or PDFs (multipart/form-data)",
)
def journal_create_upload(
    request: HttpRequest,
    family_id: uuid.UUID,
    response: HttpResponse,
    text: Annotated[str, Form(..., max_length=TEXT_MAX_CHARS * 30)] = "",
    tags: Annotated[str, Form("", max_length=1000)] = "",
    uploads: Annotated[list[UploadedFile], files_part()] = [],  # noqa: B006
    idempotency_key: str | None = key_header(),
) -> Status[JournalEntryOut]:
    access = family_access(request, family_id)
    access.require_parent()
    require_form(request, f"/api/v1/families/{family_id}/journal")
    ratelimit.hit(request, "upload", cost=len(uploads))
    with file_problems_as_field_errors("files"):
        return _create(
            access, response, idempotency_key, text=text, tags=tags, files=read_uploads(uploads)
        )


class JournalExportIn(In):
    file_format: ExportJob.Format = Field(
        ExportJob.Format.JSON,
        description="`json`: the signed coparent-journal/1 document; `pdf`: it for people.",
    )


class JournalExportOut(ExportJobOut):
    """One of your journal exports (its own name in the API's schema)."""


def _export_url(job: ExportJob, tail: str = "") -> str:
    return f"/api/v1/families/{job.family_id}/journal/exports/{job.pk}{tail}"


def _export_out(job: ExportJob) -> JournalExportOut:
    return export_job_out(JournalExportOut, job, _export_url(job))


@router.post(
    "/families/{uuid:family_id}/journal/exports",
    response=answers({202: JournalExportOut}, 400, 403, 404, 409, 422),
    summary="Start an export of your journal, built in the background (parents)",
    description=(
        "Answers 202 at once with the job and its `status_url` (also in `Location`); poll it "
        "until `finished`, then GET its `download_url`. The author is emailed a link when it is "
        "ready. Only its author sees the job; nothing is written to the family record. With an "
        "`Idempotency-Key`, a retry answers the first job (202, the same `Location`, "
        "`Idempotent-Replayed: true`) and starts nothing more."
    ),
)
def journal_export_start(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: JournalExportIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header("the first job", status=202),
) -> Status[JournalExportOut]:
    access = family_access(request, family_id)
    started = services.journal_export_once(
        access=access, file_format=payload.file_format, idempotency_key=idempotency_key
    )
    response["Location"] = _export_url(started.made)
    say_replayed(response, started.replayed)
    return Status(202, _export_out(started.made))


@router.get(
    "/families/{uuid:family_id}/journal/exports/{uuid:job_id}",
    response=answers({200: JournalExportOut}, 403, 404),
    summary="One of your journal exports: its status and progress (parents)",
)
def journal_export_status(
    request: HttpRequest, family_id: uuid.UUID, job_id: uuid.UUID
) -> JournalExportOut:
    access = family_access(request, family_id)
    return _export_out(selectors.get_own_export_job(access, job_id))


@router.get(
    "/families/{uuid:family_id}/journal/exports/{uuid:job_id}/download",
    response=answers({200: dict[str, Any]}, 403, 404),
    summary="A finished journal export's file: the signed JSON document, or the PDF (parents)",
    description=(
        "The coparent-journal/1 document (check: coparent verify) for a JSON export, the PDF "
        "for a PDF one. 404 while it is not ready, and once it has expired."
    ),
)
def journal_export_download(
    request: HttpRequest, family_id: uuid.UUID, job_id: uuid.UUID
) -> FileResponse:
    access = family_access(request, family_id)
    job = selectors.get_own_export_job(access, job_id)
    return jobs.download(job, f"journal.{job.file_format}")


@router.get(
    "/families/{uuid:family_id}/journal/shared",
    response=answers({200: list[JournalRowOut]}, 403, 404, 422),
    summary="The entries parents shared with you (professionals)",
)
def journal_shared_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[JournalFilters]
) -> list[JournalRowOut]:
    access = family_access(request, family_id)
    _require_professional(access)
    return _rows(selectors.latest_versions(selectors.shared_entries(access)), filters)


@router.get(
    "/families/{uuid:family_id}/journal/shared/{uuid:entry_id}",
    response=answers({200: JournalEntryOut}, 403, 404),
    summary="One entry shared with you, with its versions (professionals)",
)
def journal_shared_get(
    request: HttpRequest, family_id: uuid.UUID, entry_id: uuid.UUID
) -> JournalEntryOut:
    access = family_access(request, family_id)
    _require_professional(access)
    return _entry_out(access, selectors.get_shared_entry(access, entry_id), own=False)


def _require_professional(access: FamilyAccess) -> None:
    if not access.is_professional:
        raise PermissionDenied("Only professionals have entries shared with them.")


@router.get(
    "/families/{uuid:family_id}/journal/{uuid:entry_id}",
    response=answers({200: JournalEntryOut}, 403, 404),
    summary="One of your entries with every version (parents)",
)
def journal_get(request: HttpRequest, family_id: uuid.UUID, entry_id: uuid.UUID) -> JournalEntryOut:
    access = family_access(request, family_id)
    return _entry_out(access, selectors.get_own_entry(access, entry_id))


@router.post(
    "/families/{uuid:family_id}/journal/{uuid:entry_id}/versions",
    response=answers({201: JournalEntryOut}, 400, 403, 404, 422),
    summary="Correct an entry: a new version; the earlier ones are kept (parents)",
)
def journal_correct(
    request: HttpRequest, family_id: uuid.UUID, entry_id: uuid.UUID, payload: JournalCorrectionIn
) -> Status[JournalEntryOut]:
    access = family_access(request, family_id)
    entry = selectors.get_own_entry(access, entry_id)
    services.entry_correct(
        access=access,
        entry=entry,
        text=payload.text,
        happened_on=payload.happened_on,
        tags=payload.tags,
    )
    return Status(201, _entry_out(access, selectors.get_own_entry(access, entry_id)))


@router.post(
    "/families/{uuid:family_id}/journal/{uuid:entry_id}/share",
    response=answers({200: JournalEntryOut}, 400, 403, 404, 422),
    summary="Share an entry with one consented professional (replaces an earlier share)",
)
def journal_share(
    request: HttpRequest, family_id: uuid.UUID, entry_id: uuid.UUID, payload: JournalShareIn
) -> JournalEntryOut:
    access = family_access(request, family_id)
    entry = selectors.get_own_entry(access, entry_id)
    services.entry_share(access=access, entry=entry, professional_id=payload.professional)
    return _entry_out(access, entry)


@router.post(
    "/families/{uuid:family_id}/journal/{uuid:entry_id}/unshare",
    response=answers({200: JournalEntryOut}, 400, 403, 404),
    summary="Stop sharing an entry: only you read it again",
)
def journal_unshare(
    request: HttpRequest, family_id: uuid.UUID, entry_id: uuid.UUID
) -> JournalEntryOut:
    access = family_access(request, family_id)
    entry = selectors.get_own_entry(access, entry_id)
    services.entry_unshare(access=access, entry=entry)
    return _entry_out(access, entry)

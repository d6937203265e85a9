"""The API's answer for a background export (records.jobs), the record's and the journal's
alike: one shape, built from the job's state the web's progress page polls; and the record
export's `Idempotency-Key`, which only this layer can take (`record_export_once`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from ninja import Field, Schema

from coparent.core.when import DEFAULT_LOCALE
from coparent.families.selectors import FamilyAccess
from coparent.messaging import idempotency
from coparent.records import jobs
from coparent.records.models import ExportJob, ExportJobBase
from coparent.records.selectors import get_export_job
from coparent.records.services import record_export


class ExportJobOut(Schema):
    id: uuid.UUID
    file_format: ExportJobBase.Format
    status: ExportJobBase.Status = Field(
        ...,
        description=(
            "queued, running, then done or failed; done turns expired once its file is no "
            "longer kept (a week for the journal, 30 days for the record)."
        ),
    )
    progress: int = Field(..., description="0 to 100.")
    total_entries: int
    finished: bool = Field(..., description="Done, failed or expired: polling may stop.")
    error: str = Field(..., description="Why it failed, in plain words; empty otherwise.")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(
        ..., description="Until when the file may be downloaded (while done)."
    )
    status_url: str
    download_url: str | None = Field(..., description="While the file may be downloaded.")


Out = TypeVar("Out", bound=ExportJobOut)


def export_job_out(schema: type[Out], job: ExportJobBase, status_url: str) -> Out:
    """`job` as `schema` says it, its file at `status_url` + "/download" while it may be had."""
    state = jobs.job_state(job, f"{status_url}/download")
    return schema(
        id=job.pk,
        file_format=ExportJobBase.Format(job.file_format),
        status=ExportJobBase.Status(state["status"]),
        progress=state["progress"],
        total_entries=state["total_entries"],
        finished=state["finished"],
        error=state["error"],
        created_at=job.created_at,
        finished_at=job.finished_at,
        expires_at=job.expires_at if state["download_url"] else None,
        status_url=status_url,
        download_url=state["download_url"],
    )


def record_export_once(
    *,
    access: FamilyAccess,
    idempotency_key: str | None,
    file_format: str,
    kinds: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    zone: ZoneInfo | None = None,
    locale: str = DEFAULT_LOCALE,
    sections: Sequence[str] | None = None,
) -> idempotency.Outcome[ExportJob]:
    """`records.services.record_export` with an Idempotency-Key: a retry with the same key and
    scope returns the first job and records nothing, so the other parent does not read of two
    exports where a script asked once (the same key with another scope is refused, 422).

    Here and not beside `record_export`: the record sits below messaging in the import layers
    (every app appends to it), and the key table is messaging's; the API is the one caller
    above both that retries. The page's button takes no key: a second click is a second export.
    The request is the scope asked for, in any order (kinds and sections are sets); the zone
    (the family's) and the locale (the caller's browser) say how to write it, not what it is.
    """
    access.require_shared()
    return idempotency.once(
        access=access,
        key=idempotency_key,
        operation="record.export",
        fields={
            "file_format": file_format,
            "kinds": sorted(set(kinds or ())),
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
            "sections": sorted(set(sections or ())),
        },
    ).run(
        lambda: record_export(
            access=access,
            file_format=file_format,
            kinds=kinds,
            date_from=date_from,
            date_to=date_to,
            zone=zone,
            locale=locale,
            sections=sections,
        ),
        lambda pk: get_export_job(access, pk),
    )

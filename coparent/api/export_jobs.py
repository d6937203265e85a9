"""The API's answer for a background export (records.jobs), the record's and the journal's
alike: one shape, built from the job's state the web's progress page polls."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeVar

from ninja import Field, Schema

from coparent.records import jobs
from coparent.records.models import ExportJobBase


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

"""The one mechanism behind every export the task worker builds (records.ExportJob, the
journal's ExportJob): claim a job exactly once, write its progress as it goes, store its file
under a random name, fail with a plain message, email the asker a link (never the content),
and expire the file after the model's `KEEP`.

Each app says only what is its own: how to build the file (`build`, which reports progress
through the `Progress` it is given and raises `JobFailed` with a message for the person), which
email to send and which page it links to (the model's `EMAIL_TEMPLATE`, `get_absolute_url`).
The pages and the API read a job through `job_state` and hand its file out through `download`.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypedDict, TypeVar

from django.apps import apps
from django.conf import settings
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coparent.infra.mail import send_email
from coparent.records.models import ExportJobBase
from coparent.web.zones import family_zone, reading_in

logger = logging.getLogger(__name__)

J = TypeVar("J", bound=ExportJobBase)

EXPORTS_DIR = "exports"
# Stages of a job's progress bar: the document built (chain checked, head signed), the PDF
# rendered between these two, the file stored.
BUILT, RENDERED, STORED = 10, 90, 100
# Files removed per sweep and model: a large backlog clears over a few runs, not one long one.
SWEEP_BATCH = 500


class JobFailed(Exception):
    """The job cannot be done, for a reason the person can read (`message`), not a fault."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Progress:
    """What `build` tells the job's page as it works (update() rather than save(): the page
    polls these columns while the worker writes them)."""

    def __init__(self, job: ExportJobBase) -> None:
        self._rows = type(job)._default_manager.filter(pk=job.pk)

    def built(self, total_entries: int) -> None:
        self._rows.update(progress=BUILT, total_entries=total_entries)

    def rendering(self, percent: int) -> None:
        """`percent` of the PDF rendered: the bar between BUILT and RENDERED."""
        self._rows.update(progress=BUILT + (RENDERED - BUILT) * percent // 100)


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORTS_DIR


def file_path(job: ExportJobBase) -> Path | None:
    """Where a job's file is; None while it has none (not ready, or removed)."""
    return Path(settings.MEDIA_ROOT) / job.file_name if job.file_name else None


def _set(job: ExportJobBase, **fields: object) -> None:
    type(job)._default_manager.filter(pk=job.pk).update(**fields)


def run(model: type[J], job_id: str | uuid.UUID, build: Callable[[J, Progress], bytes]) -> str:
    """Build and store the file of one job of `model`; returns the job's final status.

    Claimed in one UPDATE, so a retried or duplicated task never builds the same job twice. A
    `JobFailed` from `build` fails the job with its message; anything else with a plain one
    (the fault is logged for the operator, not shown)."""
    claimed = model._default_manager.filter(pk=job_id, status=ExportJobBase.Status.QUEUED).update(
        status=ExportJobBase.Status.RUNNING
    )
    job = model._default_manager.select_related("family", "requested_by").get(pk=job_id)
    if not claimed:
        return str(job.status)
    try:
        body = build(job, Progress(job))
        exports_root().mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{EXPORTS_DIR}/{job.FILE_PREFIX}{secrets.token_urlsafe(24)}.{job.file_format}"
        (Path(settings.MEDIA_ROOT) / name).write_bytes(body)
    except JobFailed as failed:
        _fail(job, failed.message)
        return str(ExportJobBase.Status.FAILED)
    except Exception:
        logger.exception("export job %s (%s) failed", job.pk, model._meta.label)
        _fail(job, _("Something went wrong while preparing the export."))
        return str(ExportJobBase.Status.FAILED)
    _set(
        job,
        status=ExportJobBase.Status.DONE,
        progress=STORED,
        file_name=name,
        finished_at=timezone.now(),
    )
    send_ready(job)
    return str(ExportJobBase.Status.DONE)


def _fail(job: ExportJobBase, error: str) -> None:
    _set(job, status=ExportJobBase.Status.FAILED, error=error, finished_at=timezone.now())


def send_ready(job: ExportJobBase) -> None:
    """Tell the asker their export is ready: a link to its page, nothing of its content (the
    page asks them to sign in, and the download is theirs only, or the family's)."""
    user = job.requested_by
    with reading_in(family_zone(job.family), job.locale):
        send_email(
            template=job.EMAIL_TEMPLATE,
            context={
                "family": job.family,
                "job": job,
                "name": user.display_name or user.email,
                "link": settings.BASE_URL + job.get_absolute_url(),
            },
            to=user.email,
        )


# --- expiry -------------------------------------------------------------------------------------


def expire(job: ExportJobBase) -> None:
    """Remove a job's file from the server's disk and mark it expired; the row stays."""
    path = file_path(job)
    if path is not None:
        path.unlink(missing_ok=True)
    _set(job, status=ExportJobBase.Status.EXPIRED, file_name="")
    job.status, job.file_name = ExportJobBase.Status.EXPIRED, ""


def export_job_models() -> list[type[ExportJobBase]]:
    """Every concrete export job model of the installed apps (the journal's is above this
    module: it is found, not imported)."""
    return [m for m in apps.get_models() if issubclass(m, ExportJobBase)]


def sweep_expired(now: datetime | None = None) -> int:
    """Expire every prepared file past its model's `KEEP`; returns how many. Idempotent: an
    expired job is not done any more, so a second sweep (or a second worker) finds nothing."""
    now = now or timezone.now()
    swept = 0
    for model in export_job_models():
        due = model._default_manager.filter(
            status=ExportJobBase.Status.DONE, finished_at__lte=now - model.KEEP
        ).order_by("finished_at")[:SWEEP_BATCH]
        for job in due:
            expire(job)
            swept += 1
    return swept


# --- pages and API --------------------------------------------------------------------------


class JobState(TypedDict):
    """A job's progress: its page's first render, the JSON the page's script polls
    (records/export-progress.js) and the API's status."""

    status: str
    label: str
    progress: int
    total_entries: int
    entries_label: str
    finished: bool
    error: str
    download_url: str | None
    expires_at: str | None


def job_state(job: ExportJobBase, download_url: str) -> JobState:
    """`download_url` is handed out only while the file may be downloaded."""
    expired = job.is_expired()
    expires = None if expired else job.expires_at
    return {
        "status": str(ExportJobBase.Status.EXPIRED if expired else job.status),
        "label": str(_("Expired: ask again")) if expired else str(job.get_status_display()),
        "progress": job.progress,
        "total_entries": job.total_entries,
        "entries_label": (
            ngettext("%(n)s entry", "%(n)s entries", job.total_entries) % {"n": job.total_entries}
            if job.total_entries
            else ""
        ),
        "finished": job.finished,
        "error": job.error,
        "download_url": download_url
        if job.status == ExportJobBase.Status.DONE and not expired
        else None,
        "expires_at": expires.isoformat() if expires else None,
    }


def download(job: ExportJobBase, filename: str) -> FileResponse:
    """The job's file, for the person the caller found it for: 404 while it is not ready, and
    once it has expired (a file past its time the sweep has not reached yet goes now)."""
    if job.status == ExportJobBase.Status.DONE and job.is_expired():
        expire(job)
    path = file_path(job) if job.status == ExportJobBase.Status.DONE else None
    if path is None or not path.is_file():
        raise Http404(
            "This export has expired."
            if job.status == ExportJobBase.Status.EXPIRED
            else "This export is not ready."
        )
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=job.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response

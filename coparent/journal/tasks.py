"""The journal's work in the task worker: the weekly seal of every family's journals in its
record (coparent.journal.anchor; idempotent: a run within six days of the last seal writes
nothing), and the exports a parent asks for on the web (a PDF of a long journal takes many
seconds: too long for a request)."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coparent.families.selectors import FamilyAccess, get_family_access
from coparent.infra import periodic
from coparent.infra.mail import send_email
from coparent.journal.anchor import EVERY, anchor_all
from coparent.journal.export import build_journal, journal_pdf
from coparent.journal.models import ExportJob
from coparent.records.tasks import EXPORTS_DIR
from coparent.web.zones import family_zone, reading_in

ANCHOR_EVERY = EVERY


@task()
def anchor_journals() -> int:
    periodic.schedule_next(anchor_journals)  # first, so a failing run never ends the chain
    return anchor_all(now=timezone.now())


# --- exports -----------------------------------------------------------------------------------

logger = logging.getLogger(__name__)

# Stages of the job's progress bar, as the record's exports: the document built (chain checked,
# head signed), the PDF rendered, the file stored.
BUILT, RENDERED, STORED = 10, 90, 100


def _set(job_id: uuid.UUID, **fields: object) -> None:
    # update() rather than save(): the page polls these columns while the worker writes them.
    ExportJob.objects.filter(pk=job_id).update(**fields)


def _body(job: ExportJob, access: FamilyAccess) -> bytes:
    document = build_journal(access)
    _set(job.pk, progress=BUILT, total_entries=len(document.get("entries", [])))
    if job.file_format == ExportJob.Format.PDF:
        pdf = journal_pdf(document, zone_name=job.family.timezone or "UTC")
        _set(job.pk, progress=RENDERED)
        return pdf
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


@task()
def run_journal_export(job_id: str) -> str:
    """Build, render and store one journal export; returns the job's final status."""
    # Claimed in one UPDATE, so a retried or duplicated task never builds the same job twice.
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    job = ExportJob.objects.select_related("family", "requested_by").get(pk=job_id)
    if not claimed:
        return str(job.status)
    try:
        # The author's access as it is now: one who left the family has no journal to export.
        access = get_family_access(job.requested_by, job.family_id)
        with reading_in(family_zone(job.family), job.locale):
            body = _body(job, access)
        folder = Path(settings.MEDIA_ROOT) / EXPORTS_DIR
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{EXPORTS_DIR}/journal-{secrets.token_urlsafe(24)}.{job.file_format}"
        (Path(settings.MEDIA_ROOT) / name).write_bytes(body)
    except (Http404, PermissionDenied):
        _fail(job, _("You no longer keep a journal in this family."))
        return str(ExportJob.Status.FAILED)
    except Exception:
        logger.exception("journal export job %s failed", job.pk)
        _fail(job, _("Something went wrong while preparing the export."))
        return str(ExportJob.Status.FAILED)
    _set(
        job.pk,
        status=ExportJob.Status.DONE,
        progress=STORED,
        file_name=name,
        finished_at=timezone.now(),
    )
    _send_ready(job)
    return str(ExportJob.Status.DONE)


def _send_ready(job: ExportJob) -> None:
    """Tell the author their export is ready: a link to its page, nothing of the journal."""
    user = job.requested_by
    with reading_in(family_zone(job.family), job.locale):
        send_email(
            template="journal/email/export_ready",
            context={
                "family": job.family,
                "job": job,
                "name": user.display_name or user.email,
                "link": settings.BASE_URL
                + reverse(
                    "journal:export_job", kwargs={"family_id": job.family_id, "job_id": job.pk}
                ),
            },
            to=user.email,
        )


def _fail(job: ExportJob, error: str) -> None:
    _set(job.pk, status=ExportJob.Status.FAILED, error=error, finished_at=timezone.now())

"""Exports asked for on the web page, built and rendered by the task worker.

WeasyPrint takes a few milliseconds per entry, so the PDF of a long record takes many seconds:
too long for a request. The job row carries the progress the person's page polls.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coparent.core.zones import zone_or_utc
from coparent.families.models import Family, Membership
from coparent.families.selectors import FamilyAccess, get_family_access
from coparent.infra import periodic
from coparent.infra.mail import send_email
from coparent.records import checkpoints, hooks
from coparent.records.export import ChainBroken, build_export, export_json_bytes, render_pdf
from coparent.records.models import Checkpoint, ExportJob
from coparent.web.zones import family_zone, reading_in

logger = logging.getLogger(__name__)

EXPORTS_DIR = "exports"
# Stages of the job's progress bar: the document built (chain checked, head signed), the PDF
# rendered between these two, the file stored.
BUILT, RENDERED, STORED = 10, 90, 100


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORTS_DIR


def export_path(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file_name


def _set(job_id: uuid.UUID, **fields: object) -> None:
    # update() rather than save(): the page polls these columns while the worker writes them.
    ExportJob.objects.filter(pk=job_id).update(**fields)


def _body(job: ExportJob) -> bytes:
    document = build_export(
        family=job.family,
        # The document is for the person who asked: the messages they may read are disclosed,
        # those of conversations they are not part of are not (records.disclosure).
        reader=job.requested_by,
        kinds=job.kinds,
        date_from=job.date_from,
        date_to=job.date_to,
        through_seq=job.head_seq,
        zone=zone_or_utc(job.timezone),
    )
    _set(job.pk, progress=BUILT, total_entries=len(document["entries"]))
    if job.file_format == ExportJob.Format.PDF:
        span = RENDERED - BUILT
        return render_pdf(
            document,
            family=job.family,
            locale=job.locale,
            progress=lambda percent: _set(job.pk, progress=BUILT + span * percent // 100),
            access=_access(job),
            sections=job.sections,
        )
    return export_json_bytes(document)


def _access(job: ExportJob) -> FamilyAccess | None:
    """The asker's access, whose reading the PDF's sections follow (records.report): None if
    they have left the family since, or a professional whose consent was withdrawn; their PDF
    is then the entries and the proof only."""
    try:
        return get_family_access(job.requested_by, job.family_id)
    except Http404:
        return None


@task()
def run_export_job(job_id: str) -> str:
    """Build, render and store one export; returns the job's final status."""
    # Claimed in one UPDATE, so a retried or duplicated task never builds the same job twice.
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    job = ExportJob.objects.select_related("family", "requested_by").get(pk=job_id)
    if not claimed:
        return str(job.status)
    try:
        body = _body(job)
        folder = exports_root()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{EXPORTS_DIR}/{secrets.token_urlsafe(24)}.{job.file_format}"
        (Path(settings.MEDIA_ROOT) / name).write_bytes(body)
    except ChainBroken as exc:
        where = {"seq": exc.seq, "reason": exc.reason}
        _fail(job, _("The stored record is broken at entry %(seq)s (%(reason)s).") % where)
        return str(ExportJob.Status.FAILED)
    except Exception:
        logger.exception("export job %s failed", job.pk)
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
    """Tell the asker their export is ready: a link to its page, nothing of its content (the
    page asks them to sign in, and the download is theirs and the family's only)."""
    user = job.requested_by
    with reading_in(family_zone(job.family), job.locale):
        send_email(
            template="records/email/export_ready",
            context={
                "family": job.family,
                "job": job,
                "name": user.display_name or user.email,
                "link": settings.BASE_URL
                + reverse(
                    "records:export_job", kwargs={"family_id": job.family_id, "job_id": job.pk}
                ),
            },
            to=user.email,
        )


def _fail(job: ExportJob, error: str) -> None:
    _set(job.pk, status=ExportJob.Status.FAILED, error=error, finished_at=timezone.now())


# --- Weekly checkpoints ---------------------------------------------------------------------

CHECKPOINT_SCAN_EVERY = timedelta(hours=1)
# Families handled per run: a large site catches up over a few runs instead of one long one.
CHECKPOINT_BATCH = 200


@task()
def issue_weekly_checkpoints() -> int:
    """Issue a signed checkpoint for every family whose last one is a week old, and email it to
    each of its parents. Idempotent: one checkpoint a family a week (a unique constraint), so
    two workers running this at once send each parent one email. Returns how many it issued."""
    periodic.schedule_next(issue_weekly_checkpoints)
    now = timezone.now()
    issued = 0
    for family in checkpoints.families_due(now)[:CHECKPOINT_BATCH]:
        made = checkpoints.checkpoint_issue(family, now)
        if made is None:
            continue
        issued += 1
        _send_checkpoint(family, made)
    return issued


def _send_checkpoint(family: Family, checkpoint: Checkpoint) -> None:
    parents = list(
        Membership.objects.active().parents().filter(family=family).select_related("user")
    )
    # A parent who turned the email off still finds the checkpoint on the records page.
    wanted = hooks.checkpoint_email_to([seat.user_id for seat in parents])
    with reading_in(family_zone(family)):
        for seat in (seat for seat in parents if seat.user_id in wanted):
            send_email(
                template="records/email/checkpoint",
                context={
                    "family": family,
                    "checkpoint": checkpoint,
                    "name": seat.user.display_name or seat.user.email,
                    "link": settings.BASE_URL
                    + reverse("records:export", kwargs={"family_id": family.pk}),
                },
                to=seat.user.email,
            )

"""The record's work in the task worker: the exports asked for on the web page (WeasyPrint
takes a few milliseconds per entry, so the PDF of a long record takes many seconds: too long for
a request; the mechanism is records.jobs, the build is here), the hourly sweep of expired export
files, and the weekly checkpoints."""

from __future__ import annotations

from datetime import timedelta

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
from coparent.records import checkpoints, hooks, jobs
from coparent.records.export import ChainBroken, build_export, export_json_bytes, render_pdf
from coparent.records.models import Checkpoint, ExportJob
from coparent.web.zones import family_zone, reading_in


def _body(job: ExportJob, progress: jobs.Progress) -> bytes:
    try:
        document = build_export(
            family=job.family,
            # The document is for the person who asked: the messages they may read are
            # disclosed, those of conversations they are not part of are not
            # (records.disclosure).
            reader=job.requested_by,
            kinds=job.kinds,
            date_from=job.date_from,
            date_to=job.date_to,
            through_seq=job.head_seq,
            zone=zone_or_utc(job.timezone),
        )
    except ChainBroken as exc:
        where = {"seq": exc.seq, "reason": exc.reason}
        raise jobs.JobFailed(
            _("The stored record is broken at entry %(seq)s (%(reason)s).") % where
        ) from exc
    progress.built(len(document["entries"]))
    if job.file_format == ExportJob.Format.PDF:
        return render_pdf(
            document,
            family=job.family,
            locale=job.locale,
            progress=progress.rendering,
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
    """Build, render and store one export (records.jobs); returns the job's final status."""
    return jobs.run(ExportJob, job_id, _body)


# --- Expired exports ------------------------------------------------------------------------

SWEEP_EVERY = timedelta(hours=1)


@task()
def sweep_expired_exports() -> int:
    """Remove every export file past its keeping time (the record's and the journal's,
    records.jobs.sweep_expired) and mark its job expired; returns how many. Idempotent."""
    periodic.schedule_next(sweep_expired_exports)  # first, so a failing run never ends the chain
    return jobs.sweep_expired()


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

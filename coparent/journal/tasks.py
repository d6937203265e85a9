"""The journal's work in the task worker: the weekly seal of every family's journals in its
record (coparent.journal.anchor; idempotent: a run within six days of the last seal writes
nothing), and the exports a parent (or a professional, of what is shared with them) asks for:
a PDF of a long journal takes many seconds, too long for a request (records.jobs)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coparent.families.selectors import get_family_access
from coparent.infra import periodic
from coparent.journal.anchor import EVERY, anchor_all
from coparent.journal.export import build_journal, build_shared_journal, journal_pdf
from coparent.journal.models import ExportJob
from coparent.records import jobs
from coparent.web.zones import family_zone, reading_in

ANCHOR_EVERY = EVERY


@task()
def anchor_journals() -> int:
    periodic.schedule_next(anchor_journals)  # first, so a failing run never ends the chain
    return anchor_all(now=timezone.now())


# --- exports -----------------------------------------------------------------------------------


def _body(job: ExportJob, progress: jobs.Progress) -> bytes:
    try:
        # The asker's access as it is now: a parent who left the family has no journal to
        # export, a professional whose consent ended reads nothing shared.
        access = get_family_access(job.requested_by, job.family_id)
        if job.shared_author_id is not None:
            if not access.is_professional:
                raise PermissionDenied
            document = build_shared_journal(access, job.shared_author_id)
        else:
            access.require_parent()
            document = build_journal(access)
    except (Http404, PermissionDenied) as exc:
        raise jobs.JobFailed(
            _("You no longer keep a journal in this family.")
            if job.shared_author_id is None
            else _("Nothing of this parent's journal is shared with you any more.")
        ) from exc
    progress.built(len(document.get("entries", [])))
    if job.file_format == ExportJob.Format.PDF:
        return journal_pdf(document, zone_name=job.family.timezone or "UTC")
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _body_in_zone(job: ExportJob, progress: jobs.Progress) -> bytes:
    with reading_in(family_zone(job.family), job.locale):
        return _body(job, progress)


@task()
def run_journal_export(job_id: str) -> str:
    """Build, render and store one journal export (records.jobs); returns its final status."""
    return jobs.run(ExportJob, job_id, _body_in_zone)

"""The family record as a page: every entry, newest first, with filters."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from coparent.infra import ratelimit
from coparent.records import checkpoints, jobs, verifier
from coparent.records.forms import ExportForm, TimelineFilterForm, VerifyForm
from coparent.records.models import ExportJob
from coparent.records.selectors import (
    entry_rows,
    get_checkpoint,
    get_export_job,
    record_entries,
    record_people,
)
from coparent.records.services import record_export
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import add_service_error
from coparent.web.pages import FamilyPages
from coparent.web.zones import current, family_zone, reading_in

PAGE_SIZE = 50

render_page = FamilyPages(nav="record")


@family_view(shared=True)
@require_http_methods(["GET"])
def timeline(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = TimelineFilterForm(request.GET, people=record_people(access))
    page = rows = None
    if form.is_valid():
        # Invalid filters show their errors and no list, rather than an unfiltered record that
        # the person would take for the answer to their question.
        entries = record_entries(access, **form.filters(), zone=family_zone(request.family))
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = entry_rows(access, page.object_list)
    return render_page(
        request,
        "records/timeline.html",
        form=form,
        page=page,
        rows=rows,
        filtered=any(request.GET.get(f) for f in form.fields),
        # The technical view shows each entry as it was hashed: its time as stored, in UTC,
        # and its hash. The plain one reads in the family's zone, like every other page.
        technical=request.GET.get("view") == "technical",
    )


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def export(request: FamilyRequest) -> HttpResponse:
    """Ask for the record, whole or in part, signed; the request is itself recorded, and the
    document is prepared in the background on a page that shows its progress."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = record_export(
            access=request.family_access,
            file_format=data["file_format"],
            kinds=data["kinds"] or None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            zone=family_zone(request.family),
            locale=current().locale,
            sections=data["sections"] or None,
        )
        return redirect(
            "records:export_job", family_id=request.family_access.family.pk, job_id=job.pk
        )
    return render_page(
        request,
        "records/export.html",
        form=form,
        checkpoints=checkpoints.recent_checkpoints(request.family_access),
    )


@family_view(shared=True)
@require_GET
@never_cache
def checkpoint_download(
    request: FamilyRequest, checkpoint_id: uuid.UUID | None = None
) -> HttpResponse:
    """A signed checkpoint to keep: of the record as it is now, or one of the weekly ones."""
    if checkpoint_id is None:
        signed = checkpoints.checkpoint_now(request.family)
        seq, note = signed.seq, signed.note
    else:
        kept = get_checkpoint(request.family_access, checkpoint_id)
        seq, note = kept.seq, kept.note
    response = HttpResponse(note, content_type="text/plain; charset=utf-8")
    name = f"coparent-checkpoint-{request.family.pk}-{seq}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _job_state(job: ExportJob) -> jobs.JobState:
    kwargs = {"family_id": job.family_id, "job_id": job.pk}
    return jobs.job_state(job, reverse("records:export_job_download", kwargs=kwargs))


@family_view(shared=True)
@require_GET
@never_cache
def export_job(request: FamilyRequest, job_id: uuid.UUID) -> HttpResponse:
    """The export's progress; a script polls the status while it is prepared, and without
    script a Refresh link does the same by hand."""
    job = get_export_job(request.family_access, job_id)
    status_url = reverse(
        "records:export_job_status", kwargs={"family_id": job.family_id, "job_id": job.pk}
    )
    return render_page(
        request, "records/export_job.html", job=job, state=_job_state(job), status_url=status_url
    )


@family_view(shared=True)
@require_GET
@never_cache
def export_job_status(request: FamilyRequest, job_id: uuid.UUID) -> JsonResponse:
    job = get_export_job(request.family_access, job_id)
    return JsonResponse(_job_state(job))


@family_view(shared=True)
@require_GET
def export_job_download(request: FamilyRequest, job_id: uuid.UUID) -> FileResponse:
    job = get_export_job(request.family_access, job_id)
    # A file name, not a date for people: the job's instant in the family's zone, in the
    # ISO 8601 basic form that sorts (20271130-1854).
    local = job.created_at.astimezone(family_zone(request.family))
    stamp = local.strftime("%Y%m%d-%H%M")
    return jobs.download(job, f"coparent-record-{stamp}.{job.file_format}")


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone holding an export checks it here, with the same verifier `coparent verify` runs:
    upload the JSON or the PDF (its JSON twin is inside), and a checkpoint if one was kept.
    Nothing is stored; limited per client, since each check reads a whole record."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    checked = None
    if request.method == "POST":
        ratelimit.hit(request, "record_verify")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > verifier.MAX_UPLOAD_BYTES:
                form.add_error("file", verifier.too_large())
            else:
                try:
                    checked = verifier.check_upload(upload.read(), form.checkpoint_text())
                except verifier.UploadProblem as problem:
                    add_service_error(form, problem)
    # The signing time reads in the export's own zone (its scope names it), as its PDF does.
    with reading_in(checked.zone if checked else current().zone, current().locale):
        response = render(request, "records/verify.html", {"form": form, "checked": checked})
    response["Cache-Control"] = "no-store"
    return response

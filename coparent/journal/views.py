"""Journal pages: a parent's own journal (list and search, new entry, an entry with its
versions, its correction and its share, the exports) and a professional's "shared with you".

`@family_view(parent=True)` keeps professionals and viewers out of a parent's journal (403, the
same for every entry); inside it, every entry is found by a query that names its author, so
the other parent's entry is the same 404 as a missing one.
"""

from __future__ import annotations

import json
import uuid
from typing import TypedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.journal import selectors, services
from coparent.journal.export import build_shared_journal
from coparent.journal.forms import CorrectionForm, EntryForm, SearchForm, ShareForm
from coparent.journal.models import ExportJob
from coparent.messaging import attachments as files
from coparent.messaging.forms import incoming
from coparent.web import files as kept_files
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, add_service_error, posted
from coparent.web.pages import FamilyPages
from coparent.web.zones import current

render_page = FamilyPages(nav="journal")


@family_view(parent=True)
@require_GET
def journal_list_page(request: FamilyRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    words, tag = ("", "")
    if search.is_valid():
        words, tag = search.cleaned_data["q"], search.cleaned_data["tag"]
    access = request.family_access
    versions = selectors.search(
        selectors.latest_versions(selectors.own_entries(access)), words=words, tag=tag
    )
    page = Paginator(versions, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "journal/list.html",
        page=page,
        search=search,
        tags=selectors.own_tags(access),
        words=words,
        tag=tag,
    )


def _entry_form(request: FamilyRequest) -> EntryForm:
    return EntryForm(
        posted(request),
        request.FILES or None,
        links=selectors.link_choices(request.family_access),
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def entry_new_page(request: FamilyRequest) -> HttpResponse:
    form = _entry_form(request)
    if request.method == "POST" and form.is_valid():
        kind, target = form.link_parts()
        try:
            entry = services.entry_write(
                access=request.family_access,
                text=form.cleaned_data["text"],
                happened_on=form.cleaned_data.get("happened_on"),
                tags=form.cleaned_data.get("tags") or "",
                link_kind=kind,
                link_id=target,
                files=incoming(request.FILES.getlist("photos")),
            )
        except services.JournalProblem as error:
            add_service_error(
                form,
                error,
                where={"link_kind": "link", "link_id": "link", "entry": "text", "files": "photos"},
            )
        else:
            messages.success(request, _("Kept in your journal. Only you can read it."))
            return redirect("journal:entry", family_id=request.family.pk, entry_id=entry.pk)
    status = 400 if request.method == "POST" else 200
    return render_page(request, "journal/new.html", form=form, status=status)


def _show(
    request: FamilyRequest,
    entry_id: uuid.UUID,
    *,
    form: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.entry_page(request.family_access, entry_id)
    if form is None:
        current = page.current
        form = CorrectionForm(
            initial={
                "text": current.text,
                "happened_on": current.happened_on,
                "tags": ", ".join(current.tags),
            }
        )
    share_form = ShareForm(
        professionals=[(str(m.pk), m.user.display_name) for m in page.professionals]
    )
    return render_page(
        request,
        "journal/entry.html",
        page=page,
        form=form,
        share_form=share_form,
        status=status,
    )


@family_view(parent=True)
@require_GET
def entry_page(request: FamilyRequest, entry_id: uuid.UUID) -> HttpResponse:
    return _show(request, entry_id)


@family_view(parent=True)
@require_POST
def entry_correct_action(request: FamilyRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = selectors.get_own_entry(request.family_access, entry_id)
    form = CorrectionForm(posted(request), request.FILES or None)
    if form.is_valid():
        try:
            services.entry_correct(
                access=request.family_access,
                entry=entry,
                text=form.cleaned_data["text"],
                happened_on=form.cleaned_data.get("happened_on"),
                tags=form.cleaned_data.get("tags") or "",
                files=incoming(request.FILES.getlist("photos")),
            )
        except services.JournalProblem as error:
            add_service_error(form, error, where={"entry": "text", "files": "photos"})
        else:
            messages.success(request, _("Corrected. The earlier version is kept below."))
            return redirect("journal:entry", family_id=request.family.pk, entry_id=entry.pk)
    return _show(request, entry_id, form=form, status=400)


@family_view(parent=True)
@require_POST
def entry_share_action(request: FamilyRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = selectors.get_own_entry(request.family_access, entry_id)
    act(
        request,
        lambda: services.entry_share(
            access=request.family_access,
            entry=entry,
            professional_id=request.POST.get("professional", ""),
        ),
        _("Shared. That professional can now read this entry, and only this one."),
    )
    return redirect("journal:entry", family_id=request.family.pk, entry_id=entry.pk)


@family_view(parent=True)
@require_POST
def entry_unshare_action(request: FamilyRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = selectors.get_own_entry(request.family_access, entry_id)
    act(
        request,
        lambda: services.entry_unshare(access=request.family_access, entry=entry),
        _("No longer shared. Only you can read this entry."),
    )
    return redirect("journal:entry", family_id=request.family.pk, entry_id=entry.pk)


def _ask_export(request: FamilyRequest, file_format: str) -> HttpResponse:
    """The export buttons ask the worker for the export and open its progress page: a long
    journal's PDF takes too long for a request. A POST (with its CSRF token), so that no link on
    another site can queue exports and emails for a signed-in parent; the redirect leaves the
    address bar on the job, so reloading it never asks twice."""
    job = services.journal_export(
        access=request.family_access, file_format=file_format, locale=current().locale
    )
    return redirect("journal:export_job", family_id=request.family.pk, job_id=job.pk)


@family_view(parent=True)
@require_POST
def export_json(request: FamilyRequest) -> HttpResponse:
    return _ask_export(request, ExportJob.Format.JSON)


@family_view(parent=True)
@require_POST
def export_pdf(request: FamilyRequest) -> HttpResponse:
    return _ask_export(request, ExportJob.Format.PDF)


class JobState(TypedDict):
    """An export's progress: the page's first render and the JSON its script polls (the same
    shape as the record's, so the same script reads it)."""

    status: str
    label: str
    progress: int
    total_entries: int
    entries_label: str
    finished: bool
    error: str
    download_url: str | None


def _job_state(job: ExportJob, family_id: uuid.UUID) -> JobState:
    expired = services.export_expired(job)
    return {
        "status": job.status,
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
        "download_url": (
            reverse("journal:export_download", kwargs={"family_id": family_id, "job_id": job.pk})
            if job.status == ExportJob.Status.DONE and not expired
            else None
        ),
    }


@family_view(parent=True)
@require_GET
@never_cache
def export_job_page(request: FamilyRequest, job_id: uuid.UUID) -> HttpResponse:
    """The export's progress, for its author only; a script polls the status while it is
    prepared, and without script a Refresh link does the same by hand."""
    job = selectors.get_own_export_job(request.family_access, job_id)
    return render_page(
        request, "journal/export_job.html", job=job, state=_job_state(job, request.family.pk)
    )


@family_view(parent=True)
@require_GET
@never_cache
def export_job_status(request: FamilyRequest, job_id: uuid.UUID) -> JsonResponse:
    job = selectors.get_own_export_job(request.family_access, job_id)
    return JsonResponse(_job_state(job, request.family.pk))


@family_view(parent=True)
@require_GET
def export_download(request: FamilyRequest, job_id: uuid.UUID) -> FileResponse:
    job = selectors.get_own_export_job(request.family_access, job_id)
    if services.export_expired(job):
        services.export_forget(job)  # past its week: the private journal leaves the server's disk
        raise Http404("This export has expired.")
    path = services.export_file(job) if job.status == ExportJob.Status.DONE else None
    if path is None or not path.is_file():
        raise Http404("This export is not ready.")
    name = "journal.pdf" if job.file_format == ExportJob.Format.PDF else "journal.json"
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf"
        if job.file_format == ExportJob.Format.PDF
        else "application/json",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@family_view(shared=True)
@require_GET
def file_page(request: FamilyRequest, file_id: uuid.UUID) -> FileResponse:
    """A photo or PDF of an entry: its author's, or shared with the professional reading."""
    access = request.family_access
    found = (
        selectors.get_own_file(access, file_id)
        if access.is_parent
        else selectors.get_shared_file(access, file_id)
    )
    return kept_files.download(
        files.path_of(found.stored_name), filename=found.name, content_type=found.content_type
    )


def _professional(request: FamilyRequest) -> None:
    if not request.family_access.is_professional:
        raise PermissionDenied("Only professionals have entries shared with them.")


@family_view(shared=True)
@require_GET
def shared_list_page(request: FamilyRequest) -> HttpResponse:
    _professional(request)
    versions = selectors.latest_versions(selectors.shared_entries(request.family_access))
    page = Paginator(versions.select_related("entry__author"), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Whose entries these are, each downloadable with its proof (one query).
    authors = list(
        selectors.shared_entries(request.family_access)
        .order_by("author__display_name")
        .values_list("author_id", "author__display_name")
        .distinct()
    )
    return render_page(request, "journal/shared_list.html", page=page, authors=authors)


@family_view(shared=True)
@require_GET
def shared_entry_page(request: FamilyRequest, entry_id: uuid.UUID) -> HttpResponse:
    _professional(request)
    page = selectors.shared_entry_page(request.family_access, entry_id)
    return render_page(request, "journal/shared_entry.html", page=page)


@family_view(shared=True)
@require_GET
def shared_export_json(request: FamilyRequest, author_id: int) -> HttpResponse:
    """What one parent shared with this professional, as a journal export they can verify
    (`coparent verify`): the shared entries with every version, the rest of the author's chain
    as links only."""
    _professional(request)
    document = build_shared_journal(request.family_access, author_id)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="journal-shared-with-you.json"'
    response["Cache-Control"] = "no-store"
    return response

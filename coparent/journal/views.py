"""Journal pages: a parent's own journal (list and search, new entry, an entry with its
versions, its correction and its share, the exports) and a professional's "shared with you".

`@family_view(parent=True)` keeps professionals and viewers out of a parent's journal (403, the
same for every entry); inside it, every entry is found by a query that names its author, so
the other parent's entry is the same 404 as a missing one.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.journal import selectors, services
from coparent.journal.forms import CorrectionForm, EntryForm, SearchForm, ShareForm
from coparent.journal.models import ExportJob
from coparent.messaging import attachments as files
from coparent.messaging.forms import incoming
from coparent.records import jobs
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


def _job_url(job: ExportJob, which: str) -> str:
    """The job's `status` or `download` address: an author's own export's, or a
    professional's of what is shared with them."""
    prefix = "journal:export_" if job.shared_author_id is None else "journal:shared_job_"
    return reverse(prefix + which, kwargs={"family_id": job.family_id, "job_id": job.pk})


def _find_job(request: FamilyRequest, job_id: uuid.UUID, shared: bool) -> ExportJob:
    """A parent's own export (`…/exports/<job>/`: professionals get the journal's 403), or a
    professional's of what is shared with them (`…/shared/exports/<job>/`: parents get 403);
    anyone else's is the 404 of a missing one."""
    if shared:
        return selectors.get_shared_export_job(request.family_access, job_id)
    return selectors.get_own_export_job(request.family_access, job_id)


@family_view(shared=True)
@require_GET
@never_cache
def export_job_page(
    request: FamilyRequest, job_id: uuid.UUID, shared: bool = False
) -> HttpResponse:
    """The export's progress, for its asker only; a script polls the status while it is
    prepared, and without script a Refresh link does the same by hand."""
    job = _find_job(request, job_id, shared)
    state = jobs.job_state(job, _job_url(job, "download"))
    return render_page(
        request, "journal/export_job.html", job=job, state=state, status_url=_job_url(job, "status")
    )


@family_view(shared=True)
@require_GET
@never_cache
def export_job_status(
    request: FamilyRequest, job_id: uuid.UUID, shared: bool = False
) -> JsonResponse:
    job = _find_job(request, job_id, shared)
    return JsonResponse(jobs.job_state(job, _job_url(job, "download")))


@family_view(shared=True)
@require_GET
def export_download(
    request: FamilyRequest, job_id: uuid.UUID, shared: bool = False
) -> FileResponse:
    job = _find_job(request, job_id, shared)
    name = "journal-shared-with-you" if shared else "journal"
    return jobs.download(job, f"{name}.{job.file_format}")


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
@require_POST
def shared_export_json(request: FamilyRequest, author_id: int) -> HttpResponse:
    """Ask for what one parent shared with this professional, as a journal export they can
    verify (`coparent verify`): the shared entries with every version, the rest of the author's
    chain as links only. Built in the background like the author's own export (a POST with its
    CSRF token, then the job's page)."""
    job = services.journal_shared_export(
        access=request.family_access, author_id=author_id, locale=current().locale
    )
    return redirect("journal:shared_job", family_id=request.family.pk, job_id=job.pk)

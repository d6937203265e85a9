"""The documents pages: the family folder (filters, pages), a new document, one document with
its versions, a newer version, and each version's file and thumbnail.

Thin views (STYLE.md 6): `@family_view(shared=True)` lets parents and consented professionals
read, `parent=True` lets only parents upload; a viewer (a nanny) sees no documents (403).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coparent.documents import selectors, services
from coparent.documents.forms import DocumentForm, FolderFilterForm, VersionForm
from coparent.documents.models import Category
from coparent.infra import ratelimit
from coparent.messaging import attachments as files
from coparent.messaging.forms import incoming
from coparent.web import files as kept_files
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import add_service_error, posted
from coparent.web.pages import FamilyPages
from coparent.web.paging import CountedPaginator
from coparent.web.query import query_values

render_page = FamilyPages(nav="documents")


def _children_choices(request: FamilyRequest) -> list[tuple[str, str]]:
    return [(str(c.pk), c.name) for c in selectors.family_children(request.family_access)]


@family_view(shared=True)
@require_GET
def folder_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    children = _children_choices(request)
    form = FolderFilterForm(request.GET, children=children)
    chosen = query_values(request, form)
    child = chosen.get("child") or ""
    rows = selectors.documents_list(
        access,
        category=chosen.get("category") or "",
        child=uuid.UUID(child) if child else None,
        text=chosen.get("q") or "",
    )
    count = rows.count()
    page = CountedPaginator(rows, selectors.PAGE_SIZE, count=count).get_page(
        request.GET.get("page")
    )
    kept = {k: v for k, v in chosen.items() if k in ("category", "child", "q") and v}
    return render_page(
        request,
        "documents/list.html",
        form=form,
        page=page,
        count=count,
        filtered=bool(kept),
        query=urlencode(kept),
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def document_add_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = DocumentForm(
        posted(request),
        request.FILES or None,
        children=_children_choices(request),
        initial={"category": Category.OTHER},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        upload = request.FILES.get("file")
        # Uploads count against the person's limit like a message's photos (infra.ratelimit).
        ratelimit.hit(request, "upload", cost=1 if upload is not None else 0)
        try:
            made = services.document_add(
                access=access,
                title=data["title"],
                dated=data.get("date"),
                category=data["category"],
                children=data["children"],
                file=incoming([upload])[0] if upload is not None else None,
            )
        except services.DocumentProblem as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The document is in the family's folder."))
            return redirect("documents:detail", family_id=request.family.pk, document_id=made.pk)
    return render_page(
        request, "documents/form.html", status=400 if form.errors else 200, form=form
    )


@family_view(shared=True)
@require_GET
def document_page(request: FamilyRequest, document_id: uuid.UUID) -> HttpResponse:
    shown = selectors.document_page(request.family_access, document_id)
    return render_page(request, "documents/detail.html", shown=shown, document=shown.document)


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def version_add_page(request: FamilyRequest, document_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    document = selectors.get_document(access, document_id)
    form = VersionForm(posted(request), request.FILES or None)
    if form.is_bound and form.is_valid():
        upload = request.FILES.get("file")
        ratelimit.hit(request, "upload", cost=1 if upload is not None else 0)
        try:
            services.version_add(
                access=access,
                document=document,
                file=incoming([upload])[0] if upload is not None else None,
            )
        except services.DocumentProblem as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The new version is kept; the earlier ones stay."))
            return redirect(
                "documents:detail", family_id=request.family.pk, document_id=document.pk
            )
    return render_page(
        request,
        "documents/version_form.html",
        status=400 if form.errors else 200,
        form=form,
        document=document,
    )


@family_view(shared=True)
@require_GET
def version_download(request: FamilyRequest, version_id: uuid.UUID) -> FileResponse:
    """A version's file, as it was kept (a download), behind the access path."""
    found = selectors.get_version(request.family_access, version_id)
    return kept_files.download(
        files.path_of(found.stored_name), filename=found.name, content_type=found.content_type
    )


@family_view(shared=True)
@require_GET
def version_thumbnail(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponseBase:
    """A photo version's thumbnail for the document page (a PDF has none: 404)."""
    found = selectors.get_version(request.family_access, version_id)
    return kept_files.thumbnail(
        request,
        etag=f'"{found.sha256[:32]}-{files.THUMBNAIL_SIDE}"',
        make=lambda: files.thumbnail(found.stored_name, found.content_type),
        content_type=files.THUMBNAIL_TYPE,
    )

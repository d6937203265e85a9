"""The family record as a page: every entry, newest first, with filters."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coparent.records.export import render_pdf
from coparent.records.forms import ExportForm, TimelineFilterForm
from coparent.records.selectors import entry_rows, record_entries, record_people
from coparent.records.services import record_export
from coparent.web.decorators import FamilyRequest, family_view

PAGE_SIZE = 50


@family_view(shared=True)
@require_http_methods(["GET"])
def timeline(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = TimelineFilterForm(request.GET, people=record_people(access))
    page = rows = None
    if form.is_valid():
        # Invalid filters show their errors and no list, rather than an unfiltered record that
        # the person would take for the answer to their question.
        page = Paginator(record_entries(access, **form.filters()), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = entry_rows(page.object_list)
    return render(
        request,
        "records/timeline.html",
        {
            "nav": "record",
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": any(request.GET.get(f) for f in form.fields),
        },
    )


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def export(request: FamilyRequest) -> HttpResponse:
    """Download the record, whole or in part, signed; the download is itself recorded."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = record_export(
            access=request.family_access,
            file_format=data["file_format"],
            kinds=data["kinds"] or None,
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        if data["file_format"] == "pdf":
            body = render_pdf(document, family=request.family_access.family)
            response = HttpResponse(body, content_type="application/pdf")
            name = f"coparent-record-{stamp}.pdf"
        else:
            body = json.dumps(document, ensure_ascii=False, indent=1).encode()
            response = HttpResponse(body, content_type="application/json")
            name = f"coparent-record-{stamp}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "records/export.html", {"nav": "record", "form": form})

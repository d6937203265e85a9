"""The family record as a page: every entry, newest first, with filters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coparent.records.forms import TimelineFilterForm
from coparent.records.selectors import entry_rows, record_entries, record_people
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

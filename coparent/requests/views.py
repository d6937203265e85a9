"""Request pages: the list (waiting / decided, by kind), the form per kind, one request with
its answers and comments, the counter-proposal form, and the one-button answers.

Parents and consented professionals read requests (`shared=True`; a viewer gets 403); only
parents ask and answer (`parent=True`), and the services say no to the asker answering.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.families.selectors import children_of
from coparent.requests import selectors, services
from coparent.requests.forms import (
    WHERE,
    CommentForm,
    CounterForm,
    DeclineForm,
    FilterForm,
    RequestForm,
)
from coparent.requests.models import Request, RequestType
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, add_service_error, posted, say_errors, submit
from coparent.web.pages import FamilyPages
from coparent.web.zones import family_zone

render_page = FamilyPages(nav="requests")
PAGE_SIZE = 25


def _detail_url(request: FamilyRequest, item: Request) -> str:
    return reverse(
        "requests:detail", kwargs={"family_id": request.family.pk, "request_id": item.pk}
    )


@family_view(shared=True)
@require_GET
def request_list_page(request: FamilyRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    kind = form.cleaned_data.get("kind", "") if form.is_valid() else ""
    decided = request.GET.get("show") == "decided"
    rows = selectors.requests_list(request.family_access, decided=decided, kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "requests/list.html",
        form=form,
        page=page,
        decided=decided,
        kind=kind,
        kinds=RequestType.choices,
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def request_add_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    kind = request.GET.get("kind", "")
    if kind not in RequestType.values:
        # First the kind: each has its own form.
        return render_page(request, "requests/choose.html", kinds=RequestType.choices)
    zone = family_zone(request.family)
    form = RequestForm(posted(request), kind=kind, children=children_of(access))
    made = None
    if form.is_valid():
        try:
            made = services.request_make(access=access, **form.service_arguments(zone))
        except services.RequestProblem as error:
            add_service_error(form, error, where=WHERE)
    if made is not None:
        messages.success(request, _("Asked. The other parent is told and can answer here."))
        for _decision, clause in selectors.request_warnings(
            access, made.kind, f"{made.title} {made.details}"
        ):
            messages.warning(
                request,
                _("The agreement reserves this decision to both parents (clause “%(title)s”).")
                % {"title": clause.title},
            )
        return redirect(_detail_url(request, made))
    warnings = []
    if form.is_bound:
        text = f"{request.POST.get('title', '')} {request.POST.get('details', '')}"
        warnings = selectors.request_warnings(access, kind, text)
    return render_page(
        request,
        "requests/form.html",
        form=form,
        kind=kind,
        kind_label=RequestType(kind).label,
        warnings=warnings,
    )


def _show(
    request: FamilyRequest,
    request_id: uuid.UUID,
    *,
    decline_form: DeclineForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.request_page(request.family_access, request_id)
    return render_page(
        request,
        "requests/detail.html",
        status=status,
        page=page,
        item=page.request,
        decline_form=decline_form or DeclineForm(),
        comment_form=comment_form or CommentForm(may_resolve=page.may_resolve),
    )


@family_view(shared=True)
@require_GET
def request_detail_page(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    return _show(request, request_id)


@family_view(parent=True)
@require_POST
def request_approve_action(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    item = selectors.get_request(access, request_id)
    act(
        request,
        lambda: services.request_approve(access=access, request=item),
        _("Approved. The other parent is told; a swap or a trip is on the calendar now."),
    )
    return redirect(_detail_url(request, item))


@family_view(parent=True)
@require_POST
def request_decline_action(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    item = selectors.get_request(access, request_id)
    form = DeclineForm(request.POST)
    done = submit(
        form,
        lambda data: services.request_decline(access=access, request=item, **data),
    )
    if done is not None:
        messages.success(request, _("Declined. The other parent is told why."))
        return redirect(_detail_url(request, item))
    if form.non_field_errors() and not form.has_error("reason"):
        # Answered or expired meanwhile: nothing left to decline, say so above the page.
        say_errors(request, form)
        return redirect(_detail_url(request, item))
    return _show(request, request_id, decline_form=form, status=400)


@family_view(parent=True)
@require_POST
def request_withdraw_action(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    item = selectors.get_request(access, request_id)
    act(
        request,
        lambda: services.request_withdraw(access=access, request=item),
        _("Withdrawn. There is nothing left to answer."),
    )
    return redirect(_detail_url(request, item))


@family_view(shared=True)
@require_POST
def request_comment_action(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    item = selectors.get_request(access, request_id)
    form = CommentForm(request.POST, may_resolve=access.is_professional)
    done = submit(
        form,
        lambda data: services.request_comment(
            access=access, request=item, text=data["text"], kind=data.get("kind") or "comment"
        ),
    )
    if done is not None:
        messages.success(request, _("Added to the request's comments."))
        return redirect(_detail_url(request, item) + "#comments")
    return _show(request, request_id, comment_form=form, status=400)


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def request_counter_page(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    item = selectors.get_request(access, request_id)
    zone = family_zone(request.family)
    form = CounterForm(posted(request), dated=item.is_dated)
    counter = None
    if form.is_valid():
        try:
            counter = services.request_counter(
                access=access, request=item, **form.service_arguments(zone)
            )
        except services.RequestProblem as error:
            add_service_error(form, error, where=WHERE)
    if counter is not None:
        messages.success(request, _("Sent back with your proposal. The other parent answers it."))
        return redirect(_detail_url(request, counter))
    return render_page(request, "requests/counter.html", form=form, item=item)

"""Agreement pages: the agreement (sections in force, clauses waiting, what each member may do),
one clause's history, the clause library, the propose and amend form, sign / decline /
withdraw, and the agreement as a printable page and a PDF.

Thin views (STYLE.md 6): `@family_view(shared=True)` lets parents and consented professionals
in (a viewer gets 403: the agreement is not the calendar), `parent=True` keeps signing and
declining to parents; the selectors fetch (404 for another family's), one service call writes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.agreements import document, selectors, services
from coparent.agreements.forms import (
    ClauseForm,
    DeclineForm,
    initial_of,
    template_initial,
)
from coparent.agreements.library import template_for
from coparent.agreements.models import ClauseVersion
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, add_service_error, posted, say_errors
from coparent.web.pages import FamilyPages

render_page = FamilyPages(nav="agreement")


def _agreement_url(request: FamilyRequest) -> str:
    return reverse("agreements:agreement", kwargs={"family_id": request.family.pk})


def _clause_url(request: FamilyRequest, clause_id: uuid.UUID) -> str:
    return reverse(
        "agreements:clause", kwargs={"family_id": request.family.pk, "clause_id": clause_id}
    )


@family_view(shared=True)
@require_GET
def agreement_page(request: FamilyRequest) -> HttpResponse:
    shown = selectors.agreement_page(request.family_access)
    return render_page(request, "agreements/agreement.html", page=shown, decline_form=DeclineForm())


def _show_clause(
    request: FamilyRequest,
    clause_id: uuid.UUID,
    *,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = request.family_access
    row = selectors.clause_history(access, selectors.get_clause(access, clause_id))
    return render_page(
        request,
        "agreements/clause.html",
        status=status,
        row=row,
        decline_form=decline_form or DeclineForm(),
    )


@family_view(shared=True)
@require_GET
def clause_page(request: FamilyRequest, clause_id: uuid.UUID) -> HttpResponse:
    return _show_clause(request, clause_id)


@family_view(shared=True)
@require_GET
def library_page(request: FamilyRequest) -> HttpResponse:
    return render_page(request, "agreements/library.html", templates=selectors.library())


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def propose_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    template = template_for(request.GET.get("template", ""))
    initial = template_initial(template) if template else {"topic": request.GET.get("topic")}
    form = ClauseForm(posted(request), parents=selectors.parents_of(access), initial=initial)
    if form.is_valid():
        try:
            version = services.clause_propose(
                access=access,
                topic=form.cleaned_data["topic"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                terms=form.terms(),
                template=form.cleaned_data.get("template") or "",
            )
        except ValidationError as error:
            add_service_error(form, error, where=form.where())
        else:
            messages.success(
                request,
                _("Proposed. It comes into force when the parents have signed it."),
            )
            return redirect(_clause_url(request, version.clause_id))
    return render_page(
        request, "agreements/form.html", form=form, from_template=template, clause=None
    )


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def amend_page(request: FamilyRequest, clause_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    row = selectors.clause_history(access, selectors.get_clause(access, clause_id))
    latest = row.in_force or row.latest
    form = ClauseForm(
        posted(request),
        parents=list(row.parents),
        amending=True,
        initial=initial_of(latest.title, latest.body, latest.terms),
    )
    if form.is_valid():
        try:
            services.clause_amend(
                access=access,
                clause=row.clause,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                terms=form.terms(),
            )
        except ValidationError as error:
            add_service_error(form, error, where=form.where())
        else:
            messages.success(
                request,
                _("Change proposed. The clause as signed stays in force until this is signed."),
            )
            return redirect(_clause_url(request, row.clause.pk))
    return render_page(request, "agreements/form.html", form=form, from_template=None, clause=row)


def _version(request: FamilyRequest, version_id: uuid.UUID) -> ClauseVersion:
    return selectors.get_version(request.family_access, version_id)


@family_view(parent=True)
@require_POST
def sign_action(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponse:
    version = _version(request, version_id)
    act(
        request,
        lambda: services.clause_sign(access=request.family_access, version=version),
        _("Signed. The family record keeps your signature."),
    )
    return redirect(_clause_url(request, version.clause_id))


@family_view(parent=True)
@require_POST
def decline_action(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponse:
    version = _version(request, version_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.clause_decline(
                access=request.family_access, version=version, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict") or "reason" not in error.error_dict:
                say_errors(request, error)
                return redirect(_clause_url(request, version.clause_id))
            add_service_error(form, error)
        else:
            messages.success(request, _("Declined. Your reason is in the family record."))
            return redirect(_clause_url(request, version.clause_id))
    # Shown again with the problem beside the reason, declining nothing.
    return _show_clause(request, version.clause_id, decline_form=form, status=400)


@family_view(shared=True)
@require_POST
def withdraw_action(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponse:
    version = _version(request, version_id)
    act(
        request,
        lambda: services.clause_withdraw(access=request.family_access, version=version),
        _("Withdrawn. It stays in the clause's history."),
    )
    return redirect(_clause_url(request, version.clause_id))


def _document_context(request: FamilyRequest) -> dict[str, Any]:
    return {"page": selectors.agreement_page(request.family_access), "family": request.family}


@family_view(shared=True)
@require_GET
def print_page(request: FamilyRequest) -> HttpResponse:
    return render_page(
        request, "agreements/print.html", **_document_context(request), generated_at=now()
    )


@family_view(shared=True)
@require_GET
def pdf_download(request: FamilyRequest) -> HttpResponse:
    pdf = document.agreement_pdf(request, **_document_context(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="parenting-agreement.pdf"'
    return response

"""Event pages: the list (upcoming and past, by child), one event with each parent's answer,
the add and edit form, cancel and RSVP.

Thin views (STYLE.md 6): `@family_view` resolves the family through the one access path (every
member may read events; `parent=True` lets only parents write, 403 for the others), the
selectors fetch the event (404 for another family's), one service call writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.agreements.models import DECISION_LABELS
from coparent.agreements.selectors import terms_in_force
from coparent.core.agreement import DECISION_OF_KIND, RequestKind, warnings_for
from coparent.events import selectors, services
from coparent.events.forms import CancelForm, EventForm, FilterForm, RsvpForm, event_initial
from coparent.events.models import ChildEvent
from coparent.families.selectors import child_views, children_of
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, add_service_error, say_errors
from coparent.web.pages import FamilyPages

PAGE_SIZE = 25


render_page = FamilyPages(
    nav="events",
    context=lambda request: {"sees_rsvps": selectors.sees_rsvps(request.family_access)},
)


@dataclass(frozen=True)
class Reserved:
    """A decision the agreement reserves to both parents that an event's words touch."""

    decision: str
    clause: str
    kind: str  # the kind of request that asks the other parent about it


def _reserved(request: FamilyRequest, form: EventForm) -> list[Reserved]:
    """On a posted form, the decisions its title and notes speak of that the agreement in force
    reserves to both parents ("opening her social media account"), unless the parent has seen
    the warning and ticked that the other parent agreed. Saving waits for that tick: a warning,
    not a ban, since the decision may have been made together elsewhere."""
    if request.method != "POST" or request.POST.get("despite_agreement"):
        return []
    words = f"{request.POST.get('title', '')}\n{request.POST.get('notes', '')}"
    found = warnings_for(words, terms_in_force(request.family_access))
    kinds = {decision: kind for kind, decision in DECISION_OF_KIND.items()}
    return [
        Reserved(str(DECISION_LABELS[d]), ref.title, kinds.get(d, RequestKind.OTHER).value)
        for d, ref in found
    ]


def _detail_url(request: FamilyRequest, event: ChildEvent) -> str:
    return reverse("events:detail", kwargs={"family_id": request.family.pk, "event_id": event.pk})


@family_view()
@require_GET
def event_list_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    # The children as this member may see them (a viewer: first names), for the filter.
    children = child_views(access)
    form = FilterForm(request.GET, children=children)
    child_id = form.cleaned_data.get("child") if form.is_valid() else ""
    past = form.is_valid() and form.cleaned_data.get("show") == "past"
    child = next((c for c in children if str(c.id) == child_id), None)
    events = selectors.event_list(access, past=past, child=child.id if child else None)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "events/list.html",
        form=form,
        page=page,
        past=past,
        child=child,
        has_children=bool(children),
    )


def _show_event(
    request: FamilyRequest,
    event: ChildEvent,
    *,
    rsvp_form: RsvpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = selectors.event_page(request.family_access, event)
    if shown.can_answer and rsvp_form is None:
        mine = shown.mine
        rsvp_form = RsvpForm(initial={"answer": mine.answer, "note": mine.note} if mine else None)
    return render_page(
        request,
        "events/detail.html",
        status=status,
        event=event,
        answers=shown.answers,
        rsvp_form=rsvp_form if shown.can_answer else None,
        cancel_form=CancelForm() if shown.can_cancel else None,
        has_ended=shown.has_ended,
    )


@family_view()
@require_GET
def event_detail_page(request: FamilyRequest, event_id: uuid.UUID) -> HttpResponse:
    return _show_event(request, selectors.get_event(request.family_access, event_id))


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def event_add_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    initial: dict[str, Any] = {"kind": "other"}
    # Arriving from a child's filtered list, the form starts with that child ticked.
    if request.GET.get("child"):
        initial["children"] = [request.GET["child"]]
    form = EventForm(
        request.POST if request.method == "POST" else None,
        children=children_of(access),
        # An event starts in the family's zone; one elsewhere (a trip) can choose its own.
        zone=request.family.timezone,
        initial=initial,
    )
    reserved = _reserved(request, form)
    if request.method == "POST" and form.is_valid() and not reserved:
        try:
            event = services.event_add(access=access, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error, where=form.service_fields())
        else:
            messages.success(request, _("Added. Everyone in the family can see it now."))
            return redirect(_detail_url(request, event))
    return render_page(request, "events/form.html", form=form, event=None, reserved=reserved)


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def event_edit_page(request: FamilyRequest, event_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    event = selectors.get_event(access, event_id)
    if event.is_cancelled:
        messages.error(request, _("This event was cancelled. Add a new event instead."))
        return redirect(_detail_url(request, event))
    form = EventForm(
        request.POST if request.method == "POST" else None,
        children=children_of(access),
        zone=event.timezone,
        initial=event_initial(services.current_details(event)),
    )
    reserved = _reserved(request, form)
    if request.method == "POST" and form.is_valid() and not reserved:
        try:
            services.event_update(access=access, event=event, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error, where=form.service_fields())
        else:
            messages.success(request, _("Saved. Everyone in the family sees the change."))
            return redirect(_detail_url(request, event))
    return render_page(request, "events/form.html", form=form, event=event, reserved=reserved)


@family_view(parent=True)
@require_POST
def event_cancel_action(request: FamilyRequest, event_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    event = selectors.get_event(access, event_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        say_errors(request, form)
        return redirect(_detail_url(request, event))
    act(
        request,
        lambda: services.event_cancel(
            access=access, event=event, reason=form.cleaned_data["reason"]
        ),
        _("Cancelled. It stays on the list, marked cancelled."),
    )
    return redirect(_detail_url(request, event))


@family_view(parent=True)
@require_POST
def event_rsvp_action(request: FamilyRequest, event_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    event = selectors.get_event(access, event_id)
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            services.rsvp_set(access=access, event=event, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Cancelled or over: nothing left to answer, so no form to show it beside.
                say_errors(request, error)
                return redirect(_detail_url(request, event))
            add_service_error(form, error)
        else:
            messages.success(request, _("Your answer is saved and shown on the event."))
            return redirect(_detail_url(request, event))
    # Shown again with the problem beside the field (the event as it was read).
    return _show_event(request, event, rsvp_form=form)

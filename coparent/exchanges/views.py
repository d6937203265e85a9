"""Exchange pages: the exchanges of the weeks around today, one exchange with its check-ins and
notes, and the two writes (a tap, a note).

Thin views (STYLE.md 6): `@family_view(shared=True)` lets parents and consented professionals
read (a viewer sees exchanges on the calendar only), `parent=True` lets only parents write; the
selectors compose, one service call writes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.core import pickup_pass
from coparent.exchanges import selectors, services
from coparent.exchanges.forms import ActualPeriodForm, CheckInForm, NoteForm, PassForm
from coparent.exchanges.models import CHECK_IN_WINDOW, Step
from coparent.exchanges.selectors import ExchangeRow
from coparent.families.selectors import children_of
from coparent.infra import ratelimit
from coparent.messaging import attachments as files
from coparent.messaging.forms import incoming
from coparent.web import files as kept_files
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, add_service_error, posted, say_errors
from coparent.web.middleware import permissions_policy
from coparent.web.pages import FamilyPages
from coparent.web.zones import family_zone, reading_in

render_page = FamilyPages(nav="exchanges")

# The list: the last two weeks (what was just recorded) and the next four.
BACK = timedelta(days=14)
AHEAD = timedelta(days=28)

_DONE = {
    Step.ARRIVED: gettext_lazy("Checked in: you are at the exchange."),
    Step.HANDED_OVER: gettext_lazy("Recorded: you handed the children over."),
    Step.RECEIVED: gettext_lazy("Recorded: you received the children."),
}


@family_view(shared=True)
@require_GET
def exchange_list_page(request: FamilyRequest) -> HttpResponse:
    now = timezone.now()
    rows = selectors.exchanges_between(request.family_access, now - BACK, now + AHEAD, now=now)
    upcoming = [r for r in rows if r.planned_at >= now - CHECK_IN_WINDOW]
    recent = [r for r in reversed(rows) if r.planned_at < now - CHECK_IN_WINDOW]
    return render_page(
        request,
        "exchanges/list.html",
        upcoming=upcoming,
        recent=recent,
        now=now,
        rules=selectors.exchange_rules(request.family_access, now),
    )


def _planned_at(key: str) -> datetime:
    moment = selectors.parse_key(key)
    if moment is None:
        raise Http404("No such exchange.")
    return moment


def _row(request: FamilyRequest, key: str) -> ExchangeRow:
    row = selectors.exchange_at(request.family_access, _planned_at(key))
    if row is None:
        raise Http404("No such exchange.")
    return row


def _show(
    request: FamilyRequest, key: str, *, note_form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    row = _row(request, key)
    now = timezone.now()
    can_write = request.family_access.is_parent and now - row.planned_at >= -services.NOTE_LEAD
    steps = selectors.open_steps(request.family_access, row, now)
    response = render_page(
        request,
        "exchanges/detail.html",
        status=status,
        row=row,
        steps=steps,
        note_form=(note_form or NoteForm()) if can_write else None,
        opens_at=row.planned_at - CHECK_IN_WINDOW,
        now=now,
        rules=selectors.exchange_rules(request.family_access, now),
        pinned=bool(steps)
        and selectors.place_pin(request.family_access, row.plan_place) is not None,
    )
    if steps:
        # The taps may carry the phone's location, which every other page turns off.
        response["Permissions-Policy"] = permissions_policy("geolocation")
    return response


@family_view(shared=True)
@require_GET
def exchange_detail_page(request: FamilyRequest, key: str) -> HttpResponse:
    return _show(request, key)


@family_view(parent=True)
@require_POST
def check_in_action(request: FamilyRequest, key: str) -> HttpResponse:
    planned_at = _planned_at(key)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step to check in."))
        return redirect("exchanges:detail", family_id=request.family.pk, key=key)
    data = form.cleaned_data
    try:
        services.check_in(
            access=request.family_access,
            planned_at=planned_at,
            step=data["step"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            pin_place=bool(data.get("pin_place")),
        )
    except services.ExchangeProblem as error:
        say_errors(request, error)
    else:
        messages.success(request, str(_DONE[Step(data["step"])]))
    return redirect("exchanges:detail", family_id=request.family.pk, key=key)


@family_view(parent=True)
@require_POST
def note_action(request: FamilyRequest, key: str) -> HttpResponse:
    planned_at = _planned_at(key)
    form = NoteForm(posted(request), request.FILES or None)
    if form.is_valid():
        try:
            services.note_add(
                access=request.family_access,
                planned_at=planned_at,
                text=form.cleaned_data["text"],
                follows=form.cleaned_data.get("follows"),
                photos=incoming(request.FILES.getlist("photos")),
            )
        except services.ExchangeProblem as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your note is added. Both parents can read it."))
            return redirect("exchanges:detail", family_id=request.family.pk, key=key)
    return _show(request, key, note_form=form, status=400)


# --- pickup passes -----------------------------------------------------------------------------


def _pass_form(request: FamilyRequest, data: Any = None) -> PassForm:
    children = [(str(c.pk), c.name) for c in children_of(request.family_access)]
    initial = None
    if data is None:
        today = timezone.now().astimezone(family_zone(request.family)).date()
        initial = {
            "children": [pk for pk, _name in children],
            "start_date": today,
            "start_time": "08:00",
            "end_date": today,
            "end_time": "18:00",
        }
    return PassForm(data, children=children, initial=initial)


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def pass_list_page(request: FamilyRequest) -> HttpResponse:
    """The family's passes and, for a parent, the form that issues one."""
    access = request.family_access
    form = None
    if access.is_parent:
        form = _pass_form(request, posted(request))
        if form.is_bound and form.is_valid():
            start, end = form.window(family_zone(request.family))
            try:
                made = services.pass_issue(
                    access=access, children=form.cleaned_data["children"], start=start, end=end
                )
            except services.ExchangeProblem as error:
                add_service_error(form, error, where={"start": "start_date", "end": "end_date"})
            else:
                messages.success(request, _("The pass is ready: show its code or send its link."))
                return redirect("exchanges:pass", family_id=request.family.pk, pass_id=made.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render_page(
        request,
        "exchanges/passes.html",
        status=400 if form is not None and form.errors else 200,
        form=form,
        passes=list(selectors.passes(access)),
        now=timezone.now(),
    )


@family_view(shared=True)
@require_GET
def pass_page(request: FamilyRequest, pass_id: uuid.UUID) -> HttpResponse:
    issued = selectors.get_pass(request.family_access, pass_id)
    link = settings.BASE_URL + reverse("pass_check", kwargs={"token": issued.token})
    return render_page(
        request,
        "exchanges/pass.html",
        issued=issued,
        link=link,
        qr=mark_safe(pickup_pass.qr_svg(link)),  # noqa: S308 - SVG drawn on the server from our own link
        now=timezone.now(),
    )


@family_view(parent=True)
@require_POST
def pass_revoke_action(request: FamilyRequest, pass_id: uuid.UUID) -> HttpResponse:
    issued = selectors.get_pass(request.family_access, pass_id)
    act(
        request,
        lambda: services.pass_revoke(access=request.family_access, pickup=issued),
        _("The pass is revoked: its link now says so."),
    )
    return redirect("exchanges:pass", family_id=request.family.pk, pass_id=issued.pk)


@require_GET
def pass_check_page(request: HttpRequest, token: str) -> HttpResponse:
    """The one page anyone may open without an account: what a pass says, if this server signed
    it, and whether it holds now. First names, the parent's name and the window, nothing
    else. Limited per client, so the page is no oracle for guessing."""
    ratelimit.hit(request, "pass_check")
    now = timezone.now()
    checked = selectors.check_pass(token, now)
    with reading_in(checked.zone):
        response = render(
            request,
            "exchanges/pass_check.html",
            {"verdict": checked.verdict, "pickup": checked.verdict.pickup, "now": now},
            status=200 if checked.verdict.pickup is not None else 404,
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- planned beside actual ---------------------------------------------------------------------


@family_view(shared=True)
@require_GET
def actual_page(request: FamilyRequest) -> HttpResponse:
    """The time-share as planned and as it happened, for a period (the last four weeks by
    default), with each difference and why."""
    zone = family_zone(request.family)
    today = timezone.now().astimezone(zone).date()
    form = ActualPeriodForm(request.GET or None)
    first, stop = today - timedelta(days=27), today + timedelta(days=1)
    status = 200
    if form.is_bound:
        if form.is_valid():
            first = form.cleaned_data.get("start") or first
            stop = form.cleaned_data.get("end") or max(stop, first + timedelta(days=1))
        else:
            status = 400
    else:
        form = ActualPeriodForm(initial={"start": first, "end": stop})
    shown = selectors.planned_and_actual(request.family_access, first, stop, zone)
    return render_page(request, "exchanges/actual.html", status=status, form=form, shown=shown)


@family_view(shared=True)
@require_GET
def photo_page(request: FamilyRequest, photo_id: uuid.UUID) -> FileResponse:
    """A note's photo or PDF, as it was kept (a download), behind the access path."""
    found = selectors.get_photo(request.family_access, photo_id)
    return kept_files.download(
        files.path_of(found.stored_name), filename=found.name, content_type=found.content_type
    )


@family_view(shared=True)
@require_GET
def photo_thumbnail(request: FamilyRequest, photo_id: uuid.UUID) -> HttpResponseBase:
    """A photo's thumbnail for the exchange page (a PDF has none: 404)."""
    found = selectors.get_photo(request.family_access, photo_id)
    return kept_files.thumbnail(
        request,
        etag=f'"{found.sha256[:32]}-{files.THUMBNAIL_SIDE}"',
        make=lambda: files.thumbnail(found.stored_name, found.content_type),
        content_type=files.THUMBNAIL_TYPE,
    )

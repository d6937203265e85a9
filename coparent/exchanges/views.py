"""Exchange pages: the exchanges of the weeks around today, one exchange with its check-ins and
notes, and the two writes (a tap, a note).

Thin views (STYLE.md 6): `@family_view(shared=True)` lets parents and consented professionals
read (a viewer sees exchanges on the calendar only), `parent=True` lets only parents write; the
selectors compose, one service call writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from coparent.exchanges import selectors, services
from coparent.exchanges.forms import CheckInForm, NoteForm
from coparent.exchanges.models import Step
from coparent.exchanges.selectors import ExchangeRow
from coparent.exchanges.services import CHECK_IN_WINDOW
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import add_service_error, posted, say_errors
from coparent.web.pages import FamilyPages

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
    return render_page(request, "exchanges/list.html", upcoming=upcoming, recent=recent, now=now)


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


def _steps(request: FamilyRequest, row: ExchangeRow, now: datetime) -> list[tuple[Step, str]]:
    """The taps this member may still make at this exchange, with their button words."""
    access = request.family_access
    if not access.is_parent or not row.in_plan or abs(now - row.planned_at) > CHECK_IN_WINDOW:
        return []
    me = request.user.pk
    giver = row.occurrence.giver_id if row.occurrence else None
    receiver = row.occurrence.receiver_id if row.occurrence else None
    if row.occurrence is None:
        seats = selectors.parent_seats(access)
        giving, receiving = seats.get(row.from_parent), seats.get(row.to_parent)
        giver = giving.pk if giving else None
        receiver = receiving.pk if receiving else None
    mine = []
    if me in (giver, receiver):
        mine.append(Step.ARRIVED)
    if me == giver:
        mine.append(Step.HANDED_OVER)
    if me == receiver:
        mine.append(Step.RECEIVED)
    return [(step, str(step.label)) for step in mine if not row.done(me, step)]


def _show(
    request: FamilyRequest, key: str, *, note_form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    row = _row(request, key)
    now = timezone.now()
    can_write = request.family_access.is_parent and now - row.planned_at >= -services.NOTE_LEAD
    return render_page(
        request,
        "exchanges/detail.html",
        status=status,
        row=row,
        steps=_steps(request, row, now),
        note_form=(note_form or NoteForm()) if can_write else None,
        opens_at=row.planned_at - CHECK_IN_WINDOW,
        now=now,
    )


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
    form = NoteForm(posted(request))
    if form.is_valid():
        try:
            services.note_add(
                access=request.family_access,
                planned_at=planned_at,
                text=form.cleaned_data["text"],
                follows=form.cleaned_data.get("follows"),
            )
        except services.ExchangeProblem as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your note is added. Both parents can read it."))
            return redirect("exchanges:detail", family_id=request.family.pk, key=key)
    return _show(request, key, note_form=form, status=400)

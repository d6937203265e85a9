"""Schedule pages: month and agenda calendars (every member), the plan editor with its live
preview, proposals, time-share with chart and CSV, and the personal iCalendar feed.

Thin views (STYLE.md 6): `@family_view` resolves the family through the one access path; the
calendar and the feed page are for every member (a viewer's role is the calendar), proposals
and time-share for parents and consented professionals (`shared=True`), writes for parents
(`parent=True`). One service call per write.
"""

from __future__ import annotations

import csv
import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from coparent.core.limits import date_in_range
from coparent.core.schedule import METHODS, Plan, TimeShare
from coparent.core.when import format_clock, format_day
from coparent.families.selectors import HomePlaces, children_of, get_family_access
from coparent.schedule import feed as feeds
from coparent.schedule import selectors, services
from coparent.schedule.charts import monthly_chart
from coparent.schedule.forms import (
    AgendaQuery,
    DeclineForm,
    Editor,
    FeedRemindersForm,
    MonthQuery,
    PeriodForm,
    editor,
    initial_from_plan,
)
from coparent.schedule.plans import PlanProblem
from coparent.schedule.words import describe_pattern
from coparent.web import zones
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import say_errors, submit
from coparent.web.pages import FamilyPages
from coparent.web.query import query_values
from coparent.web.zones import family_zone

AGENDA_DAYS = 42


def weekdays() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


PREVIEW_MONTHS = 2


render_page = FamilyPages(nav="calendar", context=lambda request: {"weekdays": weekdays()})


def _month_of(request: HttpRequest, today: date) -> tuple[int, int]:
    month = query_values(request, MonthQuery(request.GET)).get("month") or today
    return month.year, month.month


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@family_view()
@require_GET
def month_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    zone = family_zone(request.family)
    today = timezone.now().astimezone(zone).date()
    year, month = _month_of(request, today)
    first, stop = selectors.month_grid(year, month)
    calendar = selectors.calendar_between(
        access, first, stop, month=(year, month), today=today, zone=zone
    )
    return render_page(
        request,
        "schedule/month.html",
        calendar=calendar,
        weeks=calendar.weeks,
        month=date(year, month, 1),
        previous=_shift(year, month, -1),
        following=_shift(year, month, 1),
        view="month",
    )


@family_view()
@require_GET
def agenda_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    zone = family_zone(request.family)
    today = timezone.now().astimezone(zone).date()
    first = query_values(request, AgendaQuery(request.GET)).get("from") or today
    calendar = selectors.calendar_between(
        access, first, first + timedelta(days=AGENDA_DAYS), today=today, zone=zone
    )
    days = [d for d in calendar.days if d.exchanges or d.blocks or d.events or d.is_today]
    return render_page(
        request,
        "schedule/agenda.html",
        calendar=calendar,
        days=days,
        first=first,
        previous=(first - timedelta(days=AGENDA_DAYS)).isoformat(),
        following=(first + timedelta(days=AGENDA_DAYS)).isoformat(),
        view="agenda",
    )


@family_view()
@require_GET
def day_page(request: FamilyRequest, day: str) -> HttpResponse:
    """One day of the calendar: who has the children when, the exchanges (time, place, who
    hands over), holidays and events. The month view's days link here, so a tap on a phone
    opens a day's detail; a date that cannot be one answers 404 like a missing page."""
    try:
        shown = date.fromisoformat(day)
    except ValueError:
        raise Http404("No such day.") from None
    if not (date_in_range(shown) and date_in_range(shown + timedelta(days=1))):
        raise Http404("No such day.")
    zone = family_zone(request.family)
    detail = selectors.day_detail(request.family_access, shown, zone)
    return render_page(
        request,
        "schedule/day.html",
        detail=detail,
        day=detail.day,
        calendar=detail.calendar,
        is_today=shown == timezone.now().astimezone(zone).date(),
        month=_shift(shown.year, shown.month, 0),
        view="month",
    )


def _editor(
    request: FamilyRequest,
    data: Any = None,
    *,
    initial: dict[str, Any] | None = None,
) -> tuple[Editor, tuple[str, str]]:
    """The editor with the parents named as the family's parents are (one query)."""
    names = selectors.parent_names(request.family_access)
    year = timezone.now().astimezone(family_zone(request.family)).year
    return editor(data, parents=names, initial=initial, year=year), names


def _preview(edit: Editor, request: FamilyRequest, names: tuple[str, str]) -> dict[str, Any]:
    """Validate the editor and, when the engine takes the plan, the calendar of its first months
    and the time-share of a year from its date. Returns the context of `_preview.html`."""
    access = request.family_access
    if not edit.is_valid():
        return {"ok": False}
    first = edit.form.cleaned_data["effective_from"]
    try:
        preview = selectors.plan_preview(
            access,
            edit.plan_data(names),
            first,
            date(first.year + 1, first.month, 1),
            calendar_months=PREVIEW_MONTHS,
            listed=False,
        )
    except PlanProblem as exc:
        edit.apply_problems(exc.problems)
        return {"ok": False, "problems": exc.problems}
    locale = zones.current().locale
    days = get_day_names("wide", locale=locale)
    return {
        "ok": True,
        "plan": preview.plan,
        "zone": preview.plan.zone,
        "months": [(month, calendar.weeks) for month, calendar in preview.months],
        "share": _share_rows(preview.share, preview.plan),
        # "Exchanges at 17:30 at school, on Monday, Wednesday, Friday": the plan's own clock
        # time (in its zone, as the form asked for it) and the weekdays it falls on.
        "exchange_at": format_clock(preview.plan.exchange_time, locale),
        "exchange_days": [days[n] for n in preview.exchange_days],
    }


def _share_rows(share: TimeShare, plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for key, tally in share.tallies.items():
        rounded, percent = tally.rounded(2), tally.percentages(2)
        rows.append(
            {
                "key": key,
                "label": _(tally.method.label),
                "unit": _(tally.method.unit),
                "rule": _(tally.method.rule),
                "parents": [
                    {
                        "letter": letter,
                        "name": plan.name_of(letter),
                        "value": rounded[letter],
                        "percent": percent[letter],
                    }
                    for letter in ("A", "B")
                ],
            }
        )
    return rows


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def edit_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    if request.method == "GET":
        schedule = selectors.schedule_of(access)
        zone = family_zone(request.family)
        today = timezone.now().astimezone(zone).date()
        current_data = selectors.plan_in_force_data(access, schedule=schedule)
        # A place typed before homes could be chosen, that is a home's address, is offered as
        # that home: proposing the plan again then stores the home, never the address.
        if current_data is not None:
            current_data = services.home_marked(access, current_data)
        edit, names = _editor(
            request,
            initial=initial_from_plan(
                current_data, today=today, children=list(children_of(access)), zone=zone.key
            ),
        )
        return render_page(request, "schedule/edit.html", edit=edit, parents=names)
    edit, names = _editor(request, request.POST)
    preview = _preview(edit, request, names)
    if request.POST.get("action") != "propose" or not preview["ok"]:
        status = 200 if preview["ok"] or request.POST.get("action") != "propose" else 400
        return render_page(
            request, "schedule/edit.html", status=status, preview=preview, edit=edit, parents=names
        )
    proposed = edit.plan_data(names)
    try:
        version = services.plan_propose(
            access=access,
            plan=proposed,
            effective_from=edit.form.cleaned_data["effective_from"],
            note=edit.form.cleaned_data["note"],
        )
    except PlanProblem as exc:
        edit.apply_problems(exc.problems)
        return render_page(
            request,
            "schedule/edit.html",
            status=400,
            preview={"ok": False},
            edit=edit,
            parents=names,
        )
    if version.plan.get("exchange_place") != proposed.get("exchange_place"):
        messages.info(
            request,
            _(
                "The exchange place is a parent's home address: the plan names the home "
                "instead (%(place)s), so the address stays with that parent and safe mode "
                "can keep it private."
            )
            % {"place": HomePlaces(access).show(str(version.plan.get("exchange_place")))},
        )
    if version.status == "accepted":
        messages.success(
            request,
            _("The plan is in force from %(date)s.")
            % {"date": format_day(version.effective_from, zones.current().locale)},
        )
    else:
        messages.success(
            request, _("Proposal sent: it takes effect once the other parent accepts.")
        )
    return redirect("schedule:proposals", family_id=request.family.pk)


@family_view(parent=True)
@require_POST
def preview_fragment(request: FamilyRequest) -> HttpResponse:
    edit, names = _editor(request, request.POST)
    preview = _preview(edit, request, names)
    return render_page(request, "schedule/_preview.html", preview=preview, edit=edit)


@family_view(shared=True)
@require_GET
def proposals_page(request: FamilyRequest) -> HttpResponse:
    return _proposals(request)


def _proposals(
    request: FamilyRequest, decline_form: DeclineForm | None = None, status: int = 200
) -> HttpResponse:
    shown = selectors.proposals(request.family_access)
    zone = family_zone(request.family)
    changes = (
        selectors.what_changes(
            shown.versions,
            shown.pending,
            zone=zone,
            today=timezone.now().astimezone(zone).date(),
        )
        if shown.pending is not None
        else None
    )
    return render_page(
        request,
        "schedule/proposals.html",
        status=status,
        versions=[(v, describe_pattern(v.plan, selectors.names_of(v))) for v in shown.versions],
        pending=shown.pending,
        pending_words=(
            describe_pattern(shown.pending.plan, selectors.names_of(shown.pending))
            if shown.pending
            else ""
        ),
        decline_form=decline_form or DeclineForm(),
        may_answer=shown.may_answer,
        may_withdraw=shown.may_withdraw,
        changes=changes,
    )


def _answer(request: FamilyRequest, version_id: uuid.UUID, action: str) -> HttpResponse:
    access = request.family_access
    version = selectors.get_version(access, version_id)
    try:
        if action == "accept":
            services.plan_accept(access=access, version=version)
            messages.success(
                request,
                _("Accepted: the plan is in force from %(date)s.")
                % {"date": format_day(version.effective_from, zones.current().locale)},
            )
        elif action == "withdraw":
            services.plan_withdraw(access=access, version=version)
            messages.success(request, _("Proposal withdrawn."))
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                return _proposals(request, decline_form=form, status=400)
            services.plan_decline(
                access=access, version=version, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Proposal declined."))
    except PlanProblem as exc:
        say_errors(request, exc)
    return redirect("schedule:proposals", family_id=request.family.pk)


@family_view(parent=True)
@require_POST
def accept_action(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponse:
    return _answer(request, version_id, "accept")


@family_view(parent=True)
@require_POST
def decline_action(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponse:
    return _answer(request, version_id, "decline")


@family_view(parent=True)
@require_POST
def withdraw_action(request: FamilyRequest, version_id: uuid.UUID) -> HttpResponse:
    return _answer(request, version_id, "withdraw")


def _period(request: FamilyRequest, zone: ZoneInfo) -> tuple[PeriodForm, date, date]:
    today = timezone.now().astimezone(zone).date()
    default_start, default_end = date(today.year, 1, 1), date(today.year + 1, 1, 1)
    form = PeriodForm(request.GET or {"start": default_start, "end": default_end})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, default_end


@family_view(shared=True)
@require_GET
def timeshare_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    schedule = selectors.schedule_of(access)
    form, first, stop = _period(request, schedule.zone())
    share, months, schedule = selectors.timeshare_between(access, first, stop, schedule=schedule)
    plan = schedule.current_plan()
    rows = _share_rows(share, plan) if share is not None and plan is not None else []
    locale = zones.current().locale
    chart = (
        monthly_chart(months, plan, lambda month: format_day(month, locale, "month_short"))
        if plan is not None
        else None
    )
    return render_page(
        request,
        "schedule/timeshare.html",
        nav="timeshare",
        form=form,
        first=first,
        stop=stop,
        rows=rows,
        months=months,
        chart=chart,
        plan=plan,
        methods=list(METHODS.values()),
    )


@family_view(shared=True)
@require_GET
def timeshare_csv(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    schedule = selectors.schedule_of(access)
    _form, first, stop = _period(request, schedule.zone())
    share, months, schedule = selectors.timeshare_between(access, first, stop, schedule=schedule)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="timeshare-{first}-{stop}.csv"'
    writer = csv.writer(response)
    plan = schedule.current_plan()
    if share is None or plan is None:
        writer.writerow([_("No accepted plan yet.")])
        return response
    names = [plan.name_of("A"), plan.name_of("B")]
    writer.writerow([_("period"), _("method"), _("unit"), *names, *(f"{n} %" for n in names)])
    for key, tally in share.tallies.items():
        rounded, percent = tally.rounded(2), tally.percentages(2)
        writer.writerow(
            [
                f"{first}/{stop}",
                key,
                tally.method.unit,
                rounded["A"],
                rounded["B"],
                percent["A"],
                percent["B"],
            ]
        )
    for item in months:
        writer.writerow(
            [
                item.month.strftime("%Y-%m"),
                "overnights",
                "overnights",
                item.overnights["A"],
                item.overnights["B"],
                "",
                "",
            ]
        )
    return response


def _feed_page(request: FamilyRequest, form: FeedRemindersForm | None = None) -> HttpResponse:
    feed = selectors.active_feed(request.family_access)
    url = (
        request.build_absolute_uri(
            reverse("schedule_feed", kwargs={"token": services.feed_token_of(feed)})
        )
        if feed
        else ""
    )
    if form is None and feed is not None:
        form = FeedRemindersForm(
            initial={
                "exchange_reminder": feed.exchange_reminder or "",
                "event_reminder": feed.event_reminder or "",
            }
        )
    return render_page(
        request,
        "schedule/feed.html",
        status=400 if form is not None and form.errors else 200,
        feed=feed,
        feed_url=url,
        webcal_url=url.replace("https://", "webcal://").replace("http://", "webcal://"),
        form=form,
    )


@family_view()
@require_GET
def feed_page(request: FamilyRequest) -> HttpResponse:
    return _feed_page(request)


@family_view()
@require_POST
def feed_reminders_action(request: FamilyRequest) -> HttpResponse:
    """The reminders the member's feed carries; a bad choice is shown beside its field."""
    form = FeedRemindersForm(request.POST)
    saved = submit(
        form, lambda data: services.feed_set_reminders(access=request.family_access, **data)
    )
    if saved is None:
        return _feed_page(request, form)
    messages.success(
        request, _("Saved. Your calendar app picks the reminders up at its next refresh.")
    )
    return redirect("schedule:feed", family_id=request.family.pk)


@family_view()
@require_POST
def feed_create_action(request: FamilyRequest) -> HttpResponse:
    services.feed_create(access=request.family_access)
    messages.success(request, _("Your feed address is ready. Any earlier one no longer works."))
    return redirect("schedule:feed", family_id=request.family.pk)


@family_view()
@require_POST
def feed_revoke_action(request: FamilyRequest) -> HttpResponse:
    services.feed_revoke(access=request.family_access)
    messages.success(request, _("Your feed address no longer works."))
    return redirect("schedule:feed", family_id=request.family.pk)


@require_safe
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed: no session, the token in the URL is the key. A wrong or revoked token,
    or a member who has left the family, answers 404. A calendar that polls with the ETag it
    was given gets 304 while nothing changed; If-Modified-Since alone is not honoured, since a
    renamed child or family changes the feed without a date to compare."""
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404("No such feed.")
    try:
        access = get_family_access(feed.user, feed.family_id)
    except PermissionDenied:
        raise Http404("No such feed.") from None
    document = feeds.feed_document(access, feed=feed)
    response = HttpResponse(document.text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coparent.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.modified.timestamp())
    conditional = get_conditional_response(request, etag=document.etag, response=response)
    return conditional if conditional is not None else response

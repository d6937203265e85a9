"""The insights page: reply times, punctuality and planned-beside-actual time-share per month,
and the reader's own tone trend (docs/insights.md). Parents and consented professionals; a
viewer gets 403, anyone else 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coparent.core.when import format_day
from coparent.infra.errors import DomainError
from coparent.insights import selectors
from coparent.insights.charts import BarChart, Value, bar_chart
from coparent.insights.forms import PeriodForm
from coparent.insights.selectors import Insights
from coparent.web import zones
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import add_service_error
from coparent.web.pages import FamilyPages
from coparent.web.zones import family_zone

render_page = FamilyPages(nav="insights")


def wait_words(minutes: float) -> str:
    """A wait as a person says it: "45 min", "3 h", "2 d"."""
    if minutes < 90:
        return _("%(n)s min") % {"n": round(minutes)}
    if minutes < 48 * 60:
        return _("%(n)s h") % {"n": round(minutes / 60)}
    return _("%(n)s d") % {"n": round(minutes / 1440)}


def percent_words(value: float) -> str:
    return f"{round(value)}%"


def count_words(value: float) -> str:
    return str(round(value))


@dataclass(frozen=True)
class Charts:
    replies: BarChart | None
    punctuality: BarChart | None
    shares: BarChart | None
    tone: BarChart | None


def charts_of(shown: Insights, label: dict[date, str]) -> Charts:
    """The page's four charts, each the numbers of the table beside it."""
    a, b = shown.names

    def rows(values: list[tuple[date, list[Value]]]) -> list[tuple[str, list[Value]]]:
        return [(label[month], row) for month, row in values]

    replies = bar_chart(
        rows([(r.month, [r.median_minutes["A"], r.median_minutes["B"]]) for r in shown.replies]),
        (a, b),
        write=wait_words,
    )
    punctuality = bar_chart(
        rows(
            [(p.month, [p.on_time_percent("A"), p.on_time_percent("B")]) for p in shown.punctuality]
        ),
        (a, b),
        write=percent_words,
        scale_to=100,
    )
    shares = bar_chart(
        rows([(s.month, [s.planned_percent_a, s.actual_percent_a]) for s in shown.shares]),
        (_("Planned"), _("Actual")),
        write=percent_words,
        scale_to=100,
    )
    tone = None
    if shown.tone is not None:
        tone = bar_chart(
            rows(
                [
                    (month, [t.flagged_percent if t is not None else None])
                    for month, t in zip(shown.months, shown.tone.months, strict=True)
                ]
            ),
            (_("Your messages flagged"),),
            write=percent_words,
            scale_to=100,
        )
    return Charts(replies, punctuality, shares, tone)


@family_view(shared=True)
@require_GET
def insights_page(request: FamilyRequest) -> HttpResponse:
    """The family's months in figures, for a period (the last twelve months by default)."""
    zone = family_zone(request.family)
    form = PeriodForm(request.GET or None)
    first, stop = selectors.default_period(zone)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            first, stop = selectors.period_of(
                zone, form.cleaned_data.get("start"), form.cleaned_data.get("end")
            )
        except DomainError as error:
            add_service_error(form, error)
            status = 400
    elif form.is_bound:
        status = 400
    if not form.is_bound:
        form = PeriodForm(initial={"start": first, "end": stop})
    if status == 400:
        first, stop = selectors.default_period(zone)
    shown = selectors.family_insights(request.family_access, first, stop, zone)
    locale = zones.current().locale
    label = {month: format_day(month, locale, "month_short") for month in shown.months}
    return render_page(
        request,
        "insights/page.html",
        status=status,
        form=form,
        shown=shown,
        charts=charts_of(shown, label),
        months=[
            {
                "label": label[month],
                "reply": shown.replies[i],
                "waits": [
                    wait_words(m) if m is not None else "–"
                    for m in shown.replies[i].median_minutes.values()
                ],
                "punctuality": shown.punctuality[i],
                "share": shown.shares[i],
                "tone": shown.tone.months[i] if shown.tone is not None else None,
            }
            for i, month in enumerate(shown.months)
        ],
    )

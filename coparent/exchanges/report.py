"""The calendar and exchanges sections of the record's PDF (coparent.records.report): the
time-share planned and as it happened, and every exchange of the period with its check-ins,
notes and outcome, each with a chart drawn as SVG from the same figures as its table."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.core.schedule import outcome as outcomes
from coparent.exchanges.models import Step
from coparent.exchanges.selectors import ExchangeRow, exchanges_between, planned_and_actual
from coparent.records.report import Built, ReportScope, bar_chart, register_section


def _number(value: float) -> str:
    return f"{value:g}"


def build_calendar(scope: ReportScope) -> Built:
    """Planned against actual time-share (overnights and hours) over the period, and why they
    differ (five queries: exchanges.selectors.planned_and_actual)."""
    shown = planned_and_actual(scope.access, scope.first, scope.stop, scope.zone)
    hours = {row.name: row for row in shown.rows if row.method == "hours"}
    chart = None
    if hours and len(shown.names) == 2:
        a, b = (hours.get(name) for name in shown.names)
        if a is not None and b is not None:
            chart = bar_chart(
                _("Hours with each parent, planned and actual"),
                list(shown.names),
                [
                    (_("Planned"), [a.planned, b.planned], f"{a.planned:g} · {b.planned:g}"),
                    (_("Actual"), [a.actual, b.actual], f"{a.actual:g} · {b.actual:g}"),
                ],
            )
    return Built(
        "exchanges/report/calendar.html",
        {
            "rows": shown.rows,
            "reasons": shown.reasons,
            "chart": chart,
            "through": scope.moment(shown.through),
        },
    )


@dataclass(frozen=True)
class ExchangeLine:
    at: str
    who: str  # "Alex → Sam"
    place: str
    outcome: str
    check_ins: list[str]
    notes: list[str]


def _outcome(row: ExchangeRow) -> str:
    found = row.outcome
    if found is None:
        return (
            _("Changed: %(by)s") % {"by": row.changed_by} if row.changed_by else _("Not recorded")
        )
    labels = {
        outcomes.Kind.ON_TIME: _("On time"),
        outcomes.Kind.MISSED: _("Missed"),
        outcomes.Kind.PENDING: _("Pending"),
        outcomes.Kind.CHANGED: _("Changed"),
    }
    if found.kind is outcomes.Kind.LATE:
        return _("Late by %(minutes)s min") % {"minutes": found.minutes_late or 0}
    return str(labels[found.kind])


def _line(scope: ReportScope, row: ExchangeRow) -> ExchangeLine:
    steps = dict(Step.choices)
    return ExchangeLine(
        at=scope.moment(row.planned_at),
        who=f"{row.giver_name} → {row.receiver_name}",
        place=row.place,
        outcome=_outcome(row),
        check_ins=[
            f"{scope.name_of(c.user_id)}: {steps.get(c.step, c.step)}, {scope.moment(c.at)}"
            for c in row.check_ins
        ],
        notes=[f"{scope.name_of(n.author_id)}, {scope.moment(n.at)}: {n.text}" for n in row.notes],
    )


def build_exchanges(scope: ReportScope) -> Built:
    """Every exchange of the period and each parent's punctuality (five queries)."""
    rows = exchanges_between(scope.access, scope.start, scope.end)
    shown = planned_and_actual(scope.access, scope.first, scope.stop, scope.zone)
    counts = shown.summary_rows
    chart = bar_chart(
        _("Exchanges of each parent: on time, late, missed"),
        [_("On time"), _("Late"), _("Missed")],
        [
            (name, [on_time, late, missed], f"{on_time} · {late} · {missed}")
            for name, on_time, late, missed in counts
            if on_time + late + missed
        ],
    )
    return Built(
        "exchanges/report/exchanges.html",
        {"lines": [_line(scope, row) for row in rows], "counts": counts, "chart": chart},
    )


def register() -> None:
    register_section(
        "calendar",
        gettext_lazy("Calendar: time-share planned and actual"),
        order=20,
        build=build_calendar,
    )
    register_section(
        "exchanges", gettext_lazy("Exchanges and check-ins"), order=30, build=build_exchanges
    )

"""The expenses section of the record's PDF (coparent.records.report): the period's expenses as
they stand, who paid, the split, and the balance today with every line that makes it up."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from coparent.core.when import format_day
from coparent.expenses.selectors import balance_of, expense_rows
from coparent.records.report import Built, ReportScope, register_section


@dataclass(frozen=True)
class ExpenseLine:
    day: str
    what: str
    category: str
    amount: str
    paid_by: str
    split: str
    children: str


def build(scope: ReportScope) -> Built:
    """Eight queries: the expenses (two, expense_rows) and the balance (six, balance_of)."""
    # Spent in the period, or logged in it (a bill from the week before still belongs to the
    # period whose record holds it).
    rows = [
        r
        for r in expense_rows(scope.access)
        if scope.first <= r.expense.spent_on < scope.stop
        or scope.first <= r.expense.at.astimezone(scope.zone).date() < scope.stop
    ]
    rows.sort(key=lambda r: (r.expense.spent_on, r.expense.at))
    lines = [
        ExpenseLine(
            day=format_day(r.expense.spent_on, scope.locale),
            what=r.expense.description,
            category=str(r.expense.get_category_display()),
            amount=f"{r.expense.amount} {r.expense.currency}",
            paid_by=scope.name_of(r.expense.paid_by_id),
            split=f"{r.expense.percent_a:g}–{100 - r.expense.percent_a:g}%",
            children=", ".join(r.children),
        )
        for r in rows
    ]
    balance = balance_of(scope.access)
    return Built(
        "expenses/report/expenses.html",
        {
            "lines": lines,
            "sentences": balance.sentences(),
            "balance_lines": [
                (format_day(line.when, scope.locale), line.what, str(line.effect))
                for line in balance.lines
            ],
            "names": balance.names,
        },
    )


def register() -> None:
    register_section("expenses", gettext_lazy("Expenses and balance"), order=60, build=build)

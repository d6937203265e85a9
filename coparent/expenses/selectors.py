"""Reads of the shared-expenses ledger: one expense, request or payment by id (404 for another
family's, like a missing one), the ledger as coparent.core.money entries, the balance with its
lines, and totals by category, child and year.

Money is shared data: parents and consented professionals read it, viewers never
(`access.require_shared()` beside every lookup).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core import money
from coparent.core.money import Money, Party
from coparent.expenses.models import (
    Answer,
    Category,
    Expense,
    ExpenseChild,
    Payment,
    PaymentConfirmation,
    Receipt,
    Recurrence,
    ReimbursementRequest,
)
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess, children_of, first_name, get_owned
from coparent.schedule.selectors import parent_letters

# The even split when no agreement in force says one (docs/expenses.md).
DEFAULT_PERCENT_A = Decimal(50)


def family_currency(family: Family) -> str:
    """The currency an expense form starts with: the one of the family's time zone's country
    (coparent.core.money.currency_for_zone; EUR for a zone of no country). The family has no
    currency setting of its own yet; any expense may be in another currency."""
    return money.currency_for_zone(family.timezone)


def _name(user: User) -> str:
    return user.display_name or user.email


def expenses_of(access: FamilyAccess) -> QuerySet[Expense]:
    """Every expense row of the family, corrections included (readers group them by chain)."""
    access.require_shared()
    return Expense.objects.filter(family=access.family)


def get_expense(access: FamilyAccess, expense_id: object) -> Expense:
    access.require_shared()
    return get_owned(Expense.objects.select_related("paid_by", "recorded_by"), access, expense_id)


def get_request(access: FamilyAccess, request_id: object) -> ReimbursementRequest:
    access.require_shared()
    return get_owned(
        ReimbursementRequest.objects.select_related("expense", "asked_by", "asked_of"),
        access,
        request_id,
    )


def get_receipt(access: FamilyAccess, receipt_id: object) -> Receipt:
    access.require_shared()
    return get_owned(Receipt, access, receipt_id)


def get_payment(access: FamilyAccess, payment_id: object) -> Payment:
    access.require_shared()
    return get_owned(
        Payment.objects.select_related("paid_by", "paid_to", "recorded_by"), access, payment_id
    )


def expense_with_details(access: FamilyAccess, expense_id: object) -> Expense:
    """One expense of the family with its payer, children and receipts (three queries): the
    one read for a page or an endpoint that shows it, so the row is not fetched twice (first
    to check it is the family's, then with what it shows). Another family's id is a 404."""
    access.require_shared()
    return get_owned(
        Expense.objects.select_related("paid_by", "recorded_by").prefetch_related(
            "for_children", "receipts"
        ),
        access,
        expense_id,
    )


def requests_of(access: FamilyAccess, expense: Expense) -> list[ReimbursementRequest]:
    """The requests of an expense's chain, oldest first, with their answers (one query)."""
    access.require_shared()
    return list(
        ReimbursementRequest.objects.filter(family=access.family, expense_id=expense.chain_id)
        .select_related("answer", "asked_by", "asked_of")
        .order_by("at", "pk")
    )


def confirmed_ids(access: FamilyAccess, payments: list[Payment]) -> set[uuid.UUID]:
    return set(
        PaymentConfirmation.objects.filter(
            family=access.family, payment__in=[p.pk for p in payments]
        ).values_list("payment_id", flat=True)
    )


def payments_of(access: FamilyAccess) -> tuple[list[Payment], set[uuid.UUID]]:
    """Every payment row, newest first, and which the receiver confirmed (two queries)."""
    access.require_shared()
    rows = list(
        Payment.objects.filter(family=access.family)
        .select_related("paid_by", "paid_to", "recorded_by")
        .order_by("-paid_on", "-at", "-pk")
    )
    confirmed = set(
        PaymentConfirmation.objects.filter(family=access.family).values_list(
            "payment_id", flat=True
        )
    )
    return rows, confirmed


def replaced_ids(payments: list[Payment]) -> set[uuid.UUID]:
    """The payment records a later record corrects or withdraws (read from the rows, no query):
    they no longer count, and nobody confirms or corrects them."""
    return {p.corrects_id for p in payments if p.corrects_id is not None}


def may_correct(access: FamilyAccess, expense: Expense, latest: Expense) -> bool:
    """Whether this member may correct or withdraw `expense` as shown: a parent, the one who
    paid it, on its latest version, not withdrawn (the service says the same on writing)."""
    return (
        access.is_parent
        and expense.pk == latest.pk
        and not latest.void
        and latest.paid_by_id == access.membership.user_id
    )


def payment_correction_problem(access: FamilyAccess, payment: Payment) -> str:
    """Why this member may not correct or withdraw `payment`, or "" when they may: only the
    parent who recorded it, on a record neither withdrawn nor corrected since (one query; the
    service checks the same again under the family's lock)."""
    if not access.is_parent or payment.recorded_by_id != access.membership.user_id:
        return _("Only the parent who recorded a payment corrects it.")
    if payment.void:
        return _("This payment record was withdrawn.")
    if Payment.objects.filter(family=access.family, corrects=payment).exists():
        return _("This payment was corrected since; correct its latest version.")
    return ""


def recurrence_of(access: FamilyAccess, expense: Expense) -> Recurrence | None:
    """The monthly recurrence an expense chain started, with its stop if any (one query)."""
    access.require_shared()
    return (
        Recurrence.objects.filter(family=access.family, expense_id=expense.chain_id)
        .select_related("stop", "expense")
        .first()
    )


def latest_expense(chain: Expense) -> Expense:
    """The row that stands for `chain` now: the end of its corrections."""
    # The one row of the chain nothing corrects (a chain is a line: each row is corrected at
    # most once), not the newest by time: two versions may share an instant.
    return (
        Expense.objects.filter(
            family_id=chain.family_id, chain_id=chain.chain_id, corrected_by__isnull=True
        ).first()
        or chain
    )


# --- the ledger as the core reads it ---------------------------------------------------------


@dataclass
class Ledger:
    """The family's ledger rows in the order they were written, with who is A and B."""

    letters: dict[int, Party]
    expenses: list[Expense]
    requests: list[ReimbursementRequest]
    payments: list[Payment]
    confirmed: set[uuid.UUID]

    def letter(self, user_id: int) -> Party | None:
        return self.letters.get(user_id)

    def entries(self) -> list[money.Entry]:
        """The rows as core entries, in the order they were written. Rows of a person who is
        no longer one of the two parents cannot be placed on either side and are left out."""
        timed: list[tuple[object, int, money.Entry]] = []
        for expense in self.expenses:
            payer = self.letter(expense.paid_by_id)
            if payer is None:
                continue
            timed.append(
                (
                    expense.at,
                    0,
                    money.ExpenseEntry(
                        id=str(expense.pk),
                        payer=payer,
                        total=Money.of(expense.amount, expense.currency),
                        percent_a=expense.percent_a,
                        corrects=str(expense.corrects_id) if expense.corrects_id else None,
                        void=expense.void,
                    ),
                )
            )
        for request in self.requests:
            if self.letter(request.asked_by_id) is None:
                continue
            timed.append(
                (
                    request.at,
                    1,
                    money.RequestEntry(
                        id=str(request.pk),
                        expense=str(request.expense_id),
                        asked=Money.of(request.amount, request.currency),
                    ),
                )
            )
            answer = answer_of(request)
            if answer is not None:
                timed.append(
                    (
                        answer.at,
                        2,
                        money.AnswerEntry(
                            request=str(request.pk),
                            accepted=Money.of(answer.accepted, request.currency),
                        ),
                    )
                )
        for payment in self.payments:
            payer = self.letter(payment.paid_by_id)
            if payer is None or self.letter(payment.paid_to_id) is None:
                continue
            timed.append(
                (
                    payment.at,
                    3,
                    money.PaymentEntry(
                        id=str(payment.pk),
                        payer=payer,
                        amount=Money.of(payment.amount, payment.currency),
                        confirmed=payment.receiver_recorded or payment.pk in self.confirmed,
                        corrects=str(payment.corrects_id) if payment.corrects_id else None,
                        void=payment.void,
                    ),
                )
            )
        # Rows written in one instant keep the order expense, request, answer, payment, and a
        # correction comes after what it corrects (ids are random, so no id order says so).
        depth = _depths(
            {str(e.pk): str(e.corrects_id) if e.corrects_id else None for e in self.expenses}
            | {str(p.pk): str(p.corrects_id) if p.corrects_id else None for p in self.payments}
        )
        timed.sort(key=lambda item: (item[0], item[1], depth.get(_entry_id(item[2]), 0)))
        return [entry for _at, _order, entry in timed]


def _entry_id(entry: money.Entry) -> str:
    return entry.request if isinstance(entry, money.AnswerEntry) else entry.id


def _depths(corrects: dict[str, str | None]) -> dict[str, int]:
    """How many corrections deep each entry is (0 for a first entry)."""
    depth: dict[str, int] = {}
    for start in corrects:
        chain = []
        current: str | None = start
        while current is not None and current not in depth:
            chain.append(current)
            current = corrects.get(current)
        base = depth.get(current, -1) if current is not None else -1
        for offset, entry_id in enumerate(reversed(chain), start=1):
            depth[entry_id] = base + offset
    return depth


def answer_of(request: ReimbursementRequest) -> Answer | None:
    return request.answer_or_none


def ledger_of(access: FamilyAccess, *, expenses: list[Expense] | None = None) -> Ledger:
    """The whole ledger in five queries (letters, expenses, requests with answers, payments,
    confirmations); four when the caller has read every expense row of the family already,
    oldest first (`expenses`)."""
    access.require_shared()
    family = access.family
    return Ledger(
        letters=parent_letters(access),
        expenses=(
            expenses
            if expenses is not None
            else list(Expense.objects.filter(family=family).order_by("at", "pk"))
        ),
        requests=list(
            ReimbursementRequest.objects.filter(family=family)
            .select_related("answer")
            .order_by("at", "pk")
        ),
        payments=list(Payment.objects.filter(family=family).order_by("at", "pk")),
        confirmed=set(
            PaymentConfirmation.objects.filter(family=family).values_list("payment_id", flat=True)
        ),
    )


# --- the balance -------------------------------------------------------------------------------


@dataclass
class BalanceLine:
    """One line making up the balance, as a page shows it."""

    kind: str  # "reimbursement" or "payment"
    id: str
    when: date
    what: str
    effect: Money  # + : B owes A more


@dataclass
class BalanceView:
    names: dict[Party, str]
    result: money.Balance
    lines: list[BalanceLine]
    letters: dict[int, Party] = field(default_factory=dict)

    def sentences(self) -> list[str]:
        """ "Sam owes Alex 312.40 EUR", one per currency; "Even" when nothing is owed."""
        said = []
        for currency in sorted(self.result.owed):
            found = self.result.debtor(currency)
            if found is None:
                continue
            debtor, creditor, amount = found
            said.append(
                _("%(debtor)s owes %(creditor)s %(amount)s")
                % {
                    "debtor": self.names[debtor],
                    "creditor": self.names[creditor],
                    "amount": str(amount),
                }
            )
        return said or [_("Nobody owes anything.")]

    def owes(self, user: User, currency: str) -> Money:
        letter = self.letters.get(user.pk)
        if letter is None:
            return Money.zero(currency)
        return self.result.owes(letter, currency)

    def pending_from(self, user: User, currency: str) -> Money:
        """Payments `user` made that the receiver has not confirmed yet."""
        letter = self.letters.get(user.pk)
        total = Money.zero(currency)
        for payment in self.result.unconfirmed:
            if payment.payer == letter and payment.amount.currency == currency:
                total = total + payment.amount
        return total


def parent_names(access: FamilyAccess, letters: dict[int, Party]) -> dict[Party, str]:
    users = {u.pk: u for u in User.objects.filter(pk__in=list(letters))}
    names: dict[Party, str] = {"A": _("First parent"), "B": _("Second parent")}
    for user_id, letter in letters.items():
        if user_id in users:
            names[letter] = first_name(_name(users[user_id]))
    return names


def balance_of(access: FamilyAccess, *, expenses: list[Expense] | None = None) -> BalanceView:
    """Who owes whom, and every line that makes it up (six queries; five with `expenses`, as
    `ledger_of` takes them)."""
    ledger = ledger_of(access, expenses=expenses)
    result = money.balance(ledger.entries())
    names = parent_names(access, ledger.letters)
    requests = {str(r.pk): r for r in ledger.requests}
    payments = {str(p.pk): p for p in ledger.payments}
    expense_by_id = {e.pk: e for e in ledger.expenses}
    lines = []
    for line in result.lines:
        if line.kind == "reimbursement":
            request = requests[line.id]
            chain = expense_by_id[request.expense_id]
            lines.append(
                BalanceLine(
                    kind=line.kind,
                    id=line.id,
                    when=chain.spent_on,
                    what=_("Share of “%(what)s”") % {"what": chain.description},
                    effect=line.effect,
                )
            )
        else:
            payment = payments[line.id]
            lines.append(
                BalanceLine(
                    kind=line.kind,
                    id=line.id,
                    when=payment.paid_on,
                    what=_("Payment from %(payer)s")
                    % {"payer": names[ledger.letters[payment.paid_by_id]]},
                    effect=line.effect,
                )
            )
    return BalanceView(names=names, result=result, lines=lines, letters=ledger.letters)


# --- lists and totals --------------------------------------------------------------------------


@dataclass
class ExpenseRow:
    """One expense as it stands (the latest of its chain) with its children's names."""

    expense: Expense
    children: list[str]
    corrected: bool


def expense_rows(
    access: FamilyAccess,
    *,
    category: str = "",
    child: object = None,
    year: int | None = None,
) -> list[ExpenseRow]:
    """The family's expenses as they stand, newest first, voided ones left out; filtered by
    category, child and year (three queries)."""
    return rows_from(every_expense(access), category=category, child=child, year=year)


def every_expense(access: FamilyAccess) -> list[Expense]:
    """Every expense row of the family, corrections included, oldest first, with who paid,
    the children and the receipts (three queries): what `rows_from` and `balance_of` read."""
    return list(
        expenses_of(access)
        .select_related("paid_by")
        .prefetch_related(
            Prefetch("for_children", queryset=ExpenseChild.objects.select_related("child")),
            "receipts",
        )
        .order_by("at", "pk")
    )


def list_page(
    access: FamilyAccess, *, category: str = "", child: object = None, year: int | None = None
) -> tuple[list[ExpenseRow], BalanceView]:
    """The list page's expenses (as `expense_rows`) and its balance (as `balance_of`), from one
    read of the expenses: the page is among those parents open most (issue #17 point 6)."""
    every = every_expense(access)
    return (
        rows_from(every, category=category, child=child, year=year),
        balance_of(access, expenses=every),
    )


def rows_from(
    every: list[Expense], *, category: str = "", child: object = None, year: int | None = None
) -> list[ExpenseRow]:
    """`expense_rows` of the rows `every_expense` read."""
    corrected = {row.corrects_id for row in every if row.corrects_id}
    # The latest version of each chain is the one nothing corrects.
    latest: dict[uuid.UUID, Expense] = {
        row.chain_id: row for row in every if row.pk not in corrected
    }
    out = []
    child_id = str(child) if child not in (None, "") else ""
    for chain_id, expense in latest.items():
        if expense.void:
            continue
        if category and expense.category != category:
            continue
        if year is not None and expense.spent_on.year != year:
            continue
        kids = list(expense.for_children.all())
        if child_id and child_id not in {str(k.child_id) for k in kids}:
            continue
        out.append(
            ExpenseRow(
                expense=expense,
                children=[first_name(k.child.name) for k in kids],
                corrected=expense.pk != chain_id,
            )
        )
    out.sort(key=lambda r: (r.expense.spent_on, r.expense.at), reverse=True)
    return out


@dataclass
class Totals:
    """Sums of the expenses as they stand, per currency. An expense for two children counts
    in full for each child's total (what was spent for them), once in the others."""

    by_category: dict[str, dict[str, Money]]
    by_child: dict[str, dict[str, Money]]
    by_year: dict[int, dict[str, Money]]


def _add(table: dict[str, Money], amount: Money) -> None:
    table[amount.currency] = table.get(amount.currency, Money.zero(amount.currency)) + amount


def totals(access: FamilyAccess, *, year: int | None = None) -> Totals:
    rows = expense_rows(access, year=year)
    by_category: dict[str, dict[str, Money]] = defaultdict(dict)
    by_child: dict[str, dict[str, Money]] = defaultdict(dict)
    by_year: dict[int, dict[str, Money]] = defaultdict(dict)
    for row in rows:
        amount = Money.of(row.expense.amount, row.expense.currency)
        _add(by_category[str(Category(row.expense.category).label)], amount)
        _add(by_year[row.expense.spent_on.year], amount)
        for name in row.children:
            _add(by_child[name], amount)
    return Totals(dict(by_category), dict(by_child), dict(by_year))


def family_children(access: FamilyAccess) -> list[tuple[str, str]]:
    return [(str(c.pk), first_name(c.name)) for c in children_of(access)]


# --- the monthly statement ---------------------------------------------------------------------


@dataclass
class StatementLine:
    day: date
    kind: str  # "expense", "payment"
    what: str
    who: str
    amount: Money
    share_a: Money | None
    share_b: Money | None


@dataclass
class Statement:
    month: date
    names: dict[Party, str]
    lines: list[StatementLine]
    says: list[str]

    @property
    def month_key(self) -> str:
        """The month as the statement's `?month=` names it (YYYY-MM)."""
        return self.month.isoformat()[:7]


def statement(access: FamilyAccess, month: date) -> Statement:
    """A month's expenses (as they stand, with each parent's share) and payments (counted ones),
    and the balance as it stands now."""
    first = month.replace(day=1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    view = balance_of(access)
    lines: list[StatementLine] = []
    for row in expense_rows(access):
        spent = row.expense
        if not first <= spent.spent_on < after:
            continue
        payer = view.letters.get(spent.paid_by_id)
        total = Money.of(spent.amount, spent.currency)
        shares = money.split(total, spent.percent_a, remainder_to=payer) if payer else None
        lines.append(
            StatementLine(
                day=spent.spent_on,
                kind="expense",
                what=f"{Category(spent.category).label}: {spent.description}",
                who=view.names[payer] if payer else _name(spent.paid_by),
                amount=total,
                share_a=shares.a if shares else None,
                share_b=shares.b if shares else None,
            )
        )
    for line in view.lines:
        if line.kind == "payment" and first <= line.when < after:
            lines.append(
                StatementLine(
                    day=line.when,
                    kind="payment",
                    what=line.what,
                    who="",
                    amount=line.effect if line.effect.amount > 0 else -line.effect,
                    share_a=None,
                    share_b=None,
                )
            )
    lines.sort(key=lambda item: (item.day, item.kind))
    return Statement(month=first, names=view.names, lines=lines, says=view.sentences())


# --- the year per child, with its chart --------------------------------------------------------


@dataclass
class ChartBar:
    """One bar of the totals chart: its label, amount and length in whole units of WIDTH (an
    integer, from exact decimals: a chart is no reason to bring floats near money)."""

    label: str
    amount: Money
    length: int
    y: int


@dataclass
class YearLine:
    """One expense of the year, under each child it was for (the CSV's and the PDF's rows)."""

    day: date
    category: str
    what: str
    paid_by: str
    amount: Money


@dataclass
class YearSummary:
    year: int
    currency: str
    by_child: dict[str, dict[str, Money]]  # child → category label → total
    child_totals: dict[str, Money]
    bars: list[ChartBar]
    chart_height: int
    lines: dict[str, list[YearLine]] = field(default_factory=dict)  # child → oldest first
    other_currencies: list[str] = field(default_factory=list)  # left to the totals page

    def children(self) -> list[tuple[str, dict[str, Money], Money, list[YearLine]]]:
        """Each child with their totals by category, their total and their lines."""
        return [
            (name, table, self.child_totals[name], self.lines.get(name, []))
            for name, table in self.by_child.items()
        ]


CHART_BAR_WIDTH = 200
CHART_ROW = 28


def year_summary(access: FamilyAccess, year: int, currency: str) -> YearSummary:
    """What was spent for each child in `year`, by category, in `currency` (the family's; an
    expense in another currency is left to the totals), for tax time; and the chart of the
    year's totals by category (two queries)."""
    rows = expense_rows(access, year=year)
    by_child: dict[str, dict[str, Money]] = defaultdict(dict)
    child_totals: dict[str, Money] = {}
    by_category: dict[str, Money] = {}
    lines: dict[str, list[YearLine]] = defaultdict(list)
    others: set[str] = set()
    for row in sorted(rows, key=lambda r: (r.expense.spent_on, r.expense.at)):
        spent = row.expense
        if spent.currency != currency:
            others.add(spent.currency)
            continue
        amount = Money.of(spent.amount, spent.currency)
        label = str(Category(spent.category).label)
        by_category[label] = by_category.get(label, Money.zero(currency)) + amount
        for name in row.children:
            table = by_child[name]
            table[label] = table.get(label, Money.zero(currency)) + amount
            child_totals[name] = child_totals.get(name, Money.zero(currency)) + amount
            lines[name].append(
                YearLine(spent.spent_on, label, spent.description, _name(spent.paid_by), amount)
            )
    largest = max((m.amount for m in by_category.values()), default=Decimal(0))
    bars = []
    for index, (label, amount) in enumerate(
        sorted(by_category.items(), key=lambda item: item[1].amount, reverse=True)
    ):
        length = int(amount.amount * CHART_BAR_WIDTH / largest) if largest else 0
        bars.append(ChartBar(label, amount, max(length, 1), index * CHART_ROW))
    return YearSummary(
        year=year,
        currency=currency,
        by_child=dict(by_child),
        child_totals=child_totals,
        bars=bars,
        chart_height=max(len(bars), 1) * CHART_ROW,
        lines=dict(lines),
        other_currencies=sorted(others),
    )

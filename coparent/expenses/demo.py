"""The shared-expenses chapter of the demo stories (coparent/cli/demo_data.py): a year of what
the children cost — the swimming club's fee each month (logged once with "repeat every month",
then brought back by the recurrence as the worker would), the doctor and the dentist, school
trips, shoes, a summer camp — each asked for and answered, one disputed, partial payments now
and then, confirmed by the parent who received them.

Like the exchanges chapter it writes nothing itself: it returns its steps as (moment, action)
pairs, run by the messages chapter when its clock passes each moment (messaging.demo's
`interludes`), so the family record stays in the order the story happened.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from coparent.core.money import Money
from coparent.core.zones import zone_or_utc
from coparent.expenses import selectors, services
from coparent.expenses.models import Expense, Recurrence, ReimbursementRequest
from coparent.families.selectors import FamilyAccess, children_of

Step = tuple[datetime, Callable[[], object]]

# (category, what, low, high): the year's occasional expenses, drawn by the seed.
OCCASIONAL = [
    ("medical", "Paediatrician, ear infection", 45, 95),
    ("medical", "Dentist check-up and filling", 60, 180),
    ("school", "School trip to the science museum", 25, 60),
    ("school", "Books and supplies for the new term", 40, 120),
    ("clothing", "Winter boots", 45, 90),
    ("clothing", "Football kit", 30, 70),
    ("travel", "Train tickets to the grandparents", 40, 110),
    ("childcare", "Babysitter for the parents' evening", 30, 60),
]
MONTHLY_FEE = Decimal("38.00")  # the swimming club, each month


def expense_steps(
    *, first: FamilyAccess, second: FamilyAccess, start: datetime, end: datetime, seed: int
) -> list[Step]:
    """The expenses, requests, answers and payments of [start, end), in time order."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    zone = zone_or_utc(first.family.timezone)
    kids = list(children_of(first))
    steps: list[Step] = []
    parents = (first, second)

    def day_of(moment: datetime) -> Any:
        return moment.astimezone(zone).date()

    def log(
        payer: FamilyAccess,
        at: datetime,
        category: str,
        what: str,
        amount: Decimal,
        kids_for: list[Any],
        repeat_monthly: bool = False,
    ) -> Callable[[], object]:
        def action() -> object:
            expense = services.expense_add(
                access=payer,
                spent_on=day_of(at),
                amount=str(amount),
                currency=selectors.family_currency(payer.family),
                category=category,
                description=what,
                children=[k.pk for k in kids_for],
                repeat_monthly=repeat_monthly,
                at=at,
            )
            return ask(payer, expense, at)

        return action

    def ask(payer: FamilyAccess, expense: Expense, at: datetime) -> ReimbursementRequest:
        request = services.reimbursement_ask(access=payer, expense=expense, at=at)
        asked[str(request.pk)] = request
        return request

    def monthly_fee(at: datetime) -> Callable[[], object]:
        """The swimming club's fee for the younger child. The first time, a parent logs it
        with "repeat every month"; after that the worker's scan (services.run_recurring, which
        `coparent serve` runs hourly) brings it back on its day, and the parent who pays it
        asks for the share. The story's chapters swap which parent comes first, so the payer
        is the recurrence's, not the chapter's."""

        def action() -> object:
            running = (
                Recurrence.objects.filter(family=first.family, stop__isnull=True)
                .select_related("expense")
                .first()
            )
            if running is None:
                return log(
                    first,
                    at,
                    "activities",
                    "Swimming club, monthly fee",
                    MONTHLY_FEE,
                    kids[-1:],
                    repeat_monthly=True,
                )()
            services.run_recurring(now=at, family=first.family)
            payer = first if running.expense.paid_by_id == first.membership.user_id else second
            for run in running.runs.filter(expense__requests=None).select_related("expense"):
                ask(payer, run.expense, at)
            return None

        return action

    asked: dict[str, ReimbursementRequest] = {}
    disputed: list[bool] = []

    def answer_all(at: datetime) -> Callable[[], object]:
        """The parent asked answers what waits: mostly yes, a big one in part, one disputed."""

        def action() -> object:
            for key, request in list(asked.items()):
                other = second if request.asked_by_id == first.membership.user_id else first
                if request.amount > 100 and not disputed:
                    disputed.append(True)
                    services.reimbursement_answer(
                        access=other,
                        request=request,
                        decision="dispute",
                        reason="We did not agree on this camp beforehand; let's talk about it.",
                        at=at,
                    )
                elif request.amount > 60:
                    part = (request.amount * Decimal("0.75")).quantize(Decimal("1"))
                    services.reimbursement_answer(
                        access=other,
                        request=request,
                        decision="part",
                        amount=str(part),
                        reason="The extra treatment was not needed; I'll pay the rest.",
                        at=at,
                    )
                else:
                    services.reimbursement_answer(
                        access=other, request=request, decision="accept", at=at
                    )
                del asked[key]
            return None

        return action

    def settle(at: datetime) -> Callable[[], object]:
        """Whoever owes pays part of it; the receiver records it or confirms it the next day."""

        def action() -> object:
            view = selectors.balance_of(first)
            code = selectors.family_currency(first.family)
            for payer, receiver in ((first, second), (second, first)):
                owed = view.owes(payer.membership.user, code) - view.pending_from(
                    payer.membership.user, code
                )
                if owed.amount <= 0:
                    continue
                share = Decimal(rng.choice([50, 75, 100])) / 100
                amount = Money.of((owed.amount * share).quantize(Decimal("0.01")), code)
                if amount.amount <= 0:
                    continue
                payment = services.payment_record(
                    access=payer,
                    direction="sent",
                    amount=str(amount.amount),
                    currency=code,
                    paid_on=day_of(at),
                    method=rng.choice(["transfer", "transfer", "app", "cash"]),
                    reference=f"Expenses {day_of(at):%B}",
                    at=at,
                )
                to_confirm.append((receiver, payment))
            return None

        return action

    to_confirm: list[tuple[FamilyAccess, Any]] = []

    def confirm(at: datetime) -> Callable[[], object]:
        """The next day the receiver sees the money arrived and confirms it."""

        def action() -> object:
            while to_confirm:
                receiver, payment = to_confirm.pop(0)
                services.payment_confirm(access=receiver, payment=payment, at=at)
            return None

        return action

    local = start.astimezone(zone)
    year, number = local.year, local.month
    while True:
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
        first_of = datetime(year, number, 1, 9, 0, tzinfo=zone)
        if first_of >= end:
            break
        # The swimming club's fee: logged once, then brought back by its recurrence.
        fee = monthly_fee(first_of)
        steps.append((first_of, fee))
    span = (end - start).days
    for category, what, low, high in rng.sample(OCCASIONAL, k=min(6, len(OCCASIONAL))):
        at = start + timedelta(days=rng.randrange(max(span, 1)), hours=rng.randrange(8, 19))
        payer = rng.choice(parents)
        amount = Decimal(rng.randrange(low * 100, high * 100)).scaleb(-2)
        steps.append(
            (at, log(payer, at, category, what, amount, kids[: rng.randrange(1, len(kids) + 1)]))
        )
    if span >= 90:
        camp = start + timedelta(days=span // 2, hours=11)
        steps.append(
            (
                camp,
                log(second, camp, "activities", "Holiday camp, one week", Decimal("240.00"), kids),
            )
        )
    steps.sort(key=lambda step: step[0])
    # Answers a few days after each expense, payments every other month.
    answered: list[Step] = []
    for moment, _action in steps:
        reply = moment + timedelta(days=2, hours=3)
        if reply < end:
            answered.append((reply, answer_all(reply)))
    payday = start + timedelta(days=40, hours=12)
    while payday < end:
        answered.append((payday, settle(payday)))
        if payday + timedelta(days=1) < end:
            answered.append((payday + timedelta(days=1), confirm(payday + timedelta(days=1))))
        payday += timedelta(days=61)
    return sorted(steps + answered, key=lambda step: step[0])

"""The expenses' part of the family's today (coparent.families.today): the reimbursement
requests waiting for this parent's answer and the payments waiting for this parent to confirm
that the money arrived."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import ngettext

from coparent.expenses.models import Expense, Payment, ReimbursementRequest
from coparent.families.selectors import FamilyAccess
from coparent.families.today import TodayPart, Waiting

# Read at most this many of each; the home page names the first and counts them.
READ = 50


def today_in_expenses(*, access: FamilyAccess, now: datetime, zone: ZoneInfo) -> TodayPart:
    """Two queries for a parent (the requests asked of them and not answered, on expenses not
    withdrawn; the payments to them that the payer recorded, not confirmed, withdrawn or
    corrected since); none for anyone else, who neither answers nor receives."""
    part = TodayPart()
    if not access.is_parent:
        return part
    me = access.membership.user_id
    family_id = access.family.pk
    withdrawn = Expense.objects.filter(chain_id=OuterRef("expense_id"), void=True)
    requests = list(
        ReimbursementRequest.objects.filter(family=access.family, asked_of_id=me, answer=None)
        .exclude(Exists(withdrawn))
        .select_related("expense", "asked_by")
        .order_by("at", "pk")[:READ]
    )
    if requests:
        first = requests[0]
        part.waiting.append(
            Waiting(
                text=ngettext(
                    "%(name)s asks you to reimburse %(amount)s for “%(what)s”.",
                    "%(n)d reimbursement requests wait for your answer.",
                    len(requests),
                )
                % {
                    "name": first.asked_by.display_name,
                    "amount": first.money,
                    "what": first.expense.description,
                    "n": len(requests),
                },
                url=reverse(
                    "expenses:detail",
                    kwargs={"family_id": family_id, "expense_id": first.expense_id},
                )
                if len(requests) == 1
                else reverse("expenses:list", kwargs={"family_id": family_id}),
                kind="reimbursement",
            )
        )
    payments = list(
        Payment.objects.filter(
            family=access.family, paid_to_id=me, void=False, confirmation=None, corrected_by=None
        )
        .exclude(recorded_by_id=me)
        .select_related("paid_by")
        .order_by("at", "pk")[:READ]
    )
    if payments:
        paid = payments[0]
        part.waiting.append(
            Waiting(
                text=ngettext(
                    "%(name)s says they paid you %(amount)s: confirm it arrived.",
                    "%(n)d payments wait for you to confirm they arrived.",
                    len(payments),
                )
                % {"name": paid.paid_by.display_name, "amount": paid.money, "n": len(payments)},
                url=reverse("expenses:payments", kwargs={"family_id": family_id}),
                kind="payment",
            )
        )
    return part

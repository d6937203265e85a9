"""Writes to the shared-expenses ledger: an expense (or its correction), a reimbursement request,
its answer, a payment (or its correction) and the receiver's confirmation.

Each write is appended, never changed, with its record entry in the same transaction. Each
starts by locking the family row (the lock `records.services.record_append` takes anyway, taken
first so the two never wait on each other in opposite orders): two payments, or a payment and
an answer, posted at the same moment are written one after the other on PostgreSQL, and each
checks what is owed against the ledger as the other left it. SQLite serialises writers anyway.

The creating writes have `…_once` twins for the API's `Idempotency-Key`
(coparent.messaging.idempotency, as messages and agreements do).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.agreements.selectors import terms_in_force
from coparent.core import money
from coparent.core.money import Money, MoneyError
from coparent.expenses import selectors
from coparent.expenses.models import (
    DESCRIPTION_MAX_CHARS,
    REASON_MAX_CHARS,
    REFERENCE_MAX_CHARS,
    Answer,
    Category,
    Decision,
    Expense,
    ExpenseChild,
    Method,
    Payment,
    PaymentConfirmation,
    Receipt,
    Recurrence,
    RecurrenceRun,
    RecurrenceStop,
    ReimbursementReminder,
    ReimbursementRequest,
)
from coparent.families.models import Family, Membership
from coparent.families.selectors import FamilyAccess, children_of, first_name
from coparent.infra.errors import DomainError, NotFound
from coparent.messaging import attachments as files
from coparent.messaging import idempotency
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import Kind
from coparent.records.services import record_append
from coparent.schedule.selectors import parent_letters

M = TypeVar("M", bound=models.Model)
# How long a reimbursement request may wait for an answer before the parent asked is reminded,
# when no agreement clause in force says (`response_hours`): a week, time to check a bill.
DEFAULT_RESPONSE_HOURS = 7 * 24


class ExpenseProblem(DomainError):
    """An expense, request, answer or payment that cannot be recorded as given."""


class Overpayment(ExpenseProblem):
    """A payment above what the payer owes, sent without `confirm_overpayment`: the form asks
    again with the figure, the API answers 400 naming the field."""


class AlreadyDone(ExpenseProblem):
    """The request was answered, the payment confirmed or the entry corrected already."""

    status = 409


def _name(user: User) -> str:
    return user.display_name or user.email


def _today(access: FamilyAccess, now: datetime) -> date:
    """The family's date at `now` (a bill paid this evening in Chicago is today's there)."""
    return now.astimezone(ZoneInfo(access.family.timezone)).date()


def _lock(family: Family) -> None:
    Family.objects.select_for_update().filter(pk=family.pk).values_list("pk", flat=True).first()


def _money(amount: object, currency: object, field: str = "amount") -> Money:
    try:
        return money.parse_money(amount, currency, amount_field=field)
    except MoneyError as error:
        raise ExpenseProblem(list(error.problems.items())) from None


def _text(value: str, field: str, limit: int, *, required: str = "") -> str:
    clean = (value or "").strip()
    if required and not clean:
        raise ExpenseProblem(required, field=field)
    if len(clean) > limit:
        raise ExpenseProblem(_("At most %(n)s characters.") % {"n": f"{limit:,}"}, field=field)
    return clean


def _other_parent(access: FamilyAccess) -> User:
    """The family's other parent, the one money is shared with."""
    seat = (
        Membership.objects.active()
        .parents()
        .filter(family=access.family)
        .exclude(user=access.membership.user)
        .select_related("user")
        .first()
    )
    if seat is None:
        raise ExpenseProblem(
            _("Shared expenses need the other parent in the family first."), reason="alone"
        )
    return seat.user


def _letter(access: FamilyAccess, user: User) -> money.Party:
    letter = parent_letters(access).get(user.pk)
    if letter is None:
        raise ExpenseProblem(_("Only the family's two parents share expenses."))
    return letter


def _amount_text(value: Money) -> str:
    return f"{value.amount} {value.currency}"


# --- expenses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    percent_a: Decimal
    reason: str
    source: str  # "agreement", "default" or "expense"


def _split(access: FamilyAccess, percent_a: object, reason: str, at: datetime) -> Split:
    terms = terms_in_force(access, at)
    agreed = Decimal(terms.split[0][0]) if terms.split else None
    if percent_a in (None, ""):
        if agreed is not None:
            return Split(agreed, "", "agreement")
        return Split(selectors.DEFAULT_PERCENT_A, "", "default")
    try:
        chosen = money.parse_percent(percent_a, field_name="percent_a")
    except MoneyError as error:
        raise ExpenseProblem(list(error.problems.items())) from None
    base = agreed if agreed is not None else selectors.DEFAULT_PERCENT_A
    if chosen == base:
        return Split(chosen, "", "agreement" if agreed is not None else "default")
    why = _text(
        reason,
        "split_reason",
        REASON_MAX_CHARS,
        required=_("Say why this expense is split differently from the agreement."),
    )
    return Split(chosen, why, "expense")


@dataclass(frozen=True)
class ExpenseDetails:
    spent_on: date
    amount: Money
    category: Category
    description: str
    children: list[uuid.UUID]
    split: Split


def _details(
    access: FamilyAccess,
    *,
    spent_on: date | None,
    amount: object,
    currency: object,
    category: str,
    description: str,
    children: Sequence[object],
    percent_a: object,
    split_reason: str,
    now: datetime,
) -> ExpenseDetails:
    problems: list[tuple[str, str]] = []
    value: Money | None = None
    try:
        value = _money(amount, currency)
    except ExpenseProblem as error:
        problems.extend(error.problems)
    if spent_on is None:
        problems.append(("spent_on", _("Enter the day the money was spent.")))
    elif spent_on > _today(access, now):
        problems.append(("spent_on", _("An expense is logged once it is spent, not before.")))
    try:
        chosen = Category(category)
    except ValueError:
        chosen = Category.OTHER
        problems.append(("category", _("Choose a category.")))
    clean = ""
    try:
        clean = _text(
            description, "description", DESCRIPTION_MAX_CHARS, required=_("Say what it was for.")
        )
    except ExpenseProblem as error:
        problems.extend(error.problems)
    wanted = {str(c) for c in children}
    kids = [c.pk for c in children_of(access).filter(pk__in=_uuids(children))]
    if not wanted or len(kids) != len(wanted):
        problems.append(("children", _("Choose at least one of the family's children.")))
    split: Split | None = None
    try:
        split = _split(access, percent_a, split_reason, now)
    except ExpenseProblem as error:
        problems.extend(error.problems)
    if problems or value is None or spent_on is None or split is None:
        raise ExpenseProblem(problems)
    return ExpenseDetails(spent_on, value, chosen, clean, kids, split)


def _uuids(values: Sequence[object]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


def _prepare_receipts(receipts: Sequence[IncomingFile]) -> list[files.PreparedFile]:
    try:
        files.check_count(len(receipts))
        return files.prepare_all(list(receipts))
    except ValidationError as error:
        raise ExpenseProblem([("receipts", message) for message in error.messages]) from None


def expense_add(
    *,
    access: FamilyAccess,
    spent_on: date | None,
    amount: object,
    currency: object,
    category: str,
    description: str,
    children: Sequence[object],
    percent_a: object = None,
    split_reason: str = "",
    receipts: Sequence[IncomingFile] = (),
    corrects: Expense | None = None,
    void: bool = False,
    correction_reason: str = "",
    repeat_monthly: bool = False,
    at: datetime | None = None,
) -> Expense:
    """A parent logs what they spent for the children. `repeat_monthly` logs it again each
    month on the same day (a club's fee) until stopped (`recurrence_stop`). The split is the
    agreement's in force on that day (50/50 without one); `percent_a` (A's share) may differ
    with a reason.
    `corrects` makes this a correction of one of the parent's own expenses (the latest of its
    chain), `void` a withdrawal of it; either needs a `correction_reason`. Receipts (photos or
    PDFs) follow the rules of message attachments, checked before anything is written."""
    access.require_parent()
    now = at or timezone.now()
    user = access.membership.user
    details = _details(
        access,
        spent_on=spent_on,
        amount=amount,
        currency=currency,
        category=category,
        description=description,
        children=children,
        percent_a=percent_a,
        split_reason=split_reason,
        now=now,
    )
    why = ""
    if corrects is not None:
        if corrects.family_id != access.family.pk:
            raise NotFound(_("No such expense."))
        if corrects.paid_by_id != user.pk:
            raise ExpenseProblem(_("Only the parent who logged an expense corrects it."))
        why = _text(
            correction_reason,
            "correction_reason",
            REASON_MAX_CHARS,
            required=_("Say what the correction is for."),
        )
    prepared = _prepare_receipts(receipts)
    stored: list[tuple[files.PreparedFile, str]] = []
    try:
        for item in prepared:
            stored.append((item, files.store(item)))
        return _write_expense(
            access, user, details, stored, corrects, void, why, now, repeat_monthly
        )
    except BaseException:
        files.remove([name for _item, name in stored])
        raise


def expense_withdraw(
    *, access: FamilyAccess, expense: Expense, reason: str, at: datetime | None = None
) -> Expense:
    """The parent who logged an expense withdraws it: a new, linked entry (`void`) that keeps
    the figures of the version it withdraws, with the reason. It stops counting, and stops
    repeating; the earlier versions stay on the page and in the record."""
    kids = list(expense.for_children.values_list("child_id", flat=True))
    return expense_add(
        access=access,
        spent_on=expense.spent_on,
        amount=expense.money.amount,
        currency=expense.currency,
        category=expense.category,
        description=expense.description,
        children=kids,
        # A split of its own travels with its reason; otherwise the agreement's (a withdrawn
        # expense owes nothing either way).
        percent_a=expense.percent_a if expense.split_reason else None,
        split_reason=expense.split_reason,
        corrects=expense,
        void=True,
        correction_reason=reason,
        at=at,
    )


def _write_expense(
    access: FamilyAccess,
    user: User,
    details: ExpenseDetails,
    stored: list[tuple[files.PreparedFile, str]],
    corrects: Expense | None,
    void: bool,
    why: str,
    now: datetime,
    repeat_monthly: bool = False,
    recurring: Recurrence | None = None,
) -> Expense:
    _other_parent(access)
    with transaction.atomic():
        _lock(access.family)
        chain_id: uuid.UUID | None = None
        if corrects is not None:
            latest = selectors.latest_expense(corrects)
            if latest.pk != corrects.pk:
                raise AlreadyDone(
                    _("This expense was corrected since; correct its latest version."),
                    reason="corrected",
                )
            if latest.void:
                raise AlreadyDone(_("This expense was withdrawn."), reason="void")
            chain_id = latest.chain_id
        new_id = uuid.uuid4()
        try:
            with transaction.atomic():
                expense = Expense.objects.create(
                    id=new_id,
                    family=access.family,
                    spent_on=details.spent_on,
                    amount=details.amount.amount,
                    currency=details.amount.currency,
                    category=details.category,
                    description=details.description,
                    paid_by=user,
                    recorded_by=user,
                    percent_a=details.split.percent_a,
                    split_reason=details.split.reason,
                    corrects=corrects,
                    chain_id=chain_id or new_id,
                    void=void,
                    correction_reason=why,
                    at=now,
                )
        except IntegrityError:  # the same correction twice at once
            raise AlreadyDone(
                _("This expense was corrected since; correct its latest version."),
                reason="corrected",
            ) from None
        ExpenseChild.objects.bulk_create(
            ExpenseChild(family=access.family, expense=expense, child_id=child)
            for child in details.children
        )
        made = Receipt.objects.bulk_create(
            Receipt(
                family=access.family,
                expense=expense,
                name=item.name,
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                stored_name=stored_name,
                created_at=now,
            )
            for item, stored_name in stored
        )
        if repeat_monthly and corrects is None:
            Recurrence.objects.create(
                family=access.family,
                expense=expense,
                day_of_month=min(details.spent_on.day, 28),
                at=now,
            )
        shares = money.split(
            details.amount, details.split.percent_a, remainder_to=_letter(access, user)
        )
        names = {c.pk: first_name(c.name) for c in children_of(access)}
        record_append(
            family=access.family,
            kind=Kind.EXPENSE_CORRECTED if corrects is not None else Kind.EXPENSE_ADDED,
            actor=user,
            at=now,
            data={
                "expense": str(expense.pk),
                "chain": str(expense.chain_id),
                "corrects": str(corrects.pk) if corrects is not None else None,
                "void": void,
                "reason": why,
                "name": _name(user),
                "spent_on": details.spent_on.isoformat(),
                "amount": str(details.amount.amount),
                "currency": details.amount.currency,
                "category": details.category.value,
                "description": details.description,
                "children": [names.get(c, "") for c in details.children],
                "percent_a": str(details.split.percent_a),
                "split_source": details.split.source,
                "split_reason": details.split.reason,
                "share_a": str(shares.a.amount),
                "share_b": str(shares.b.amount),
                "repeats_monthly": repeat_monthly and corrects is None,
                "recurring": str(recurring.pk) if recurring is not None else None,
                # Each file's SHA-256 fixes its bytes: the record proves which receipt was shown.
                "receipts": [
                    {"receipt": str(r.pk), "name": r.name, "size": r.size, "sha256": r.sha256}
                    for r in made
                ],
            },
        )
    return expense


# --- reimbursement requests and answers -------------------------------------------------------


def _room(access: FamilyAccess, chain: Expense) -> tuple[Expense, Money]:
    """The latest version of the expense and how much more of the other's share may be asked:
    their share less what is waiting for an answer and what was accepted."""
    latest = selectors.latest_expense(chain)
    payer = _letter(access, latest.paid_by)
    shares = money.split(
        Money.of(latest.amount, latest.currency), latest.percent_a, remainder_to=payer
    )
    taken = Money.zero(latest.currency)
    for request in ReimbursementRequest.objects.filter(expense=chain).select_related("answer"):
        answer = selectors.answer_of(request)
        taken = taken + Money.of(
            request.amount if answer is None else answer.accepted, latest.currency
        )
    room = shares.of(money.other(payer)) - taken
    return latest, room if room.amount > 0 else Money.zero(latest.currency)


def reimbursement_ask(
    *,
    access: FamilyAccess,
    expense: Expense,
    amount: object = None,
    note: str = "",
    at: datetime | None = None,
) -> ReimbursementRequest:
    """The parent who paid asks the other for their share (`amount` left out) or part of it;
    never more than the other's share less what was already asked and not disputed."""
    access.require_parent()
    if expense.family_id != access.family.pk:
        raise NotFound(_("No such expense."))
    user = access.membership.user
    now = at or timezone.now()
    clean_note = _text(note, "note", REASON_MAX_CHARS)
    other = _other_parent(access)
    with transaction.atomic():
        _lock(access.family)
        chain = Expense.objects.get(pk=expense.chain_id)
        latest, room = _room(access, chain)
        if latest.paid_by_id != user.pk:
            raise ExpenseProblem(_("Only the parent who paid asks to be reimbursed."))
        if latest.void:
            raise ExpenseProblem(_("This expense was withdrawn."), reason="void")
        if not room:
            raise ExpenseProblem(
                _("The other parent's share of this expense is already asked for."),
                field="amount",
                reason="nothing_left",
            )
        asked = room if amount in (None, "") else _money(amount, latest.currency)
        if room < asked:
            raise ExpenseProblem(
                _("At most %(room)s is left to ask of this expense.")
                % {"room": _amount_text(room)},
                field="amount",
            )
        request = ReimbursementRequest.objects.create(
            family=access.family,
            expense=chain,
            amount=asked.amount,
            currency=asked.currency,
            asked_by=user,
            asked_of=other,
            note=clean_note,
            at=now,
        )
        record_append(
            family=access.family,
            kind=Kind.REIMBURSEMENT_ASKED,
            actor=user,
            at=now,
            data={
                "request": str(request.pk),
                "expense": str(chain.pk),
                "name": _name(user),
                "of": _name(other),
                "of_id": other.pk,
                "description": latest.description,
                "amount": str(asked.amount),
                "currency": asked.currency,
                "note": clean_note,
            },
        )
    return request


def reimbursement_answer(
    *,
    access: FamilyAccess,
    request: ReimbursementRequest,
    decision: str,
    amount: object = None,
    reason: str = "",
    at: datetime | None = None,
) -> Answer:
    """The parent asked answers once: accept all, accept part (`amount`, below what was asked),
    or dispute (with a `reason`)."""
    access.require_parent()
    if request.family_id != access.family.pk:
        raise NotFound(_("No such request."))
    user = access.membership.user
    now = at or timezone.now()
    try:
        chosen = Decision(decision)
    except ValueError:
        raise ExpenseProblem(
            _("Choose accept, accept part or dispute."), field="decision"
        ) from None
    asked = Money.of(request.amount, request.currency)
    if chosen is Decision.ACCEPT:
        accepted = asked
        why = _text(reason, "reason", REASON_MAX_CHARS)
    elif chosen is Decision.DISPUTE:
        accepted = Money.zero(request.currency)
        why = _text(reason, "reason", REASON_MAX_CHARS, required=_("Say why you dispute it."))
    else:
        accepted = _money(amount, request.currency)
        if not accepted < asked:
            raise ExpenseProblem(
                _("Accept part means less than the %(asked)s asked; to accept all, choose accept.")
                % {"asked": _amount_text(asked)},
                field="amount",
            )
        why = _text(reason, "reason", REASON_MAX_CHARS)
    with transaction.atomic():
        _lock(access.family)
        if request.asked_of_id != user.pk:
            raise ExpenseProblem(_("Only the parent who was asked answers."))
        if Answer.objects.filter(request=request).exists():
            raise AlreadyDone(_("This request is already answered."), reason="answered")
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    family=access.family,
                    request=request,
                    decision=chosen,
                    accepted=accepted.amount,
                    reason=why,
                    answered_by=user,
                    at=now,
                )
        except IntegrityError:
            raise AlreadyDone(_("This request is already answered."), reason="answered") from None
        chain = Expense.objects.get(pk=request.expense_id)
        record_append(
            family=access.family,
            kind=Kind.REIMBURSEMENT_ANSWERED,
            actor=user,
            at=now,
            data={
                "request": str(request.pk),
                "expense": str(chain.pk),
                "name": _name(user),
                "asker_id": request.asked_by_id,
                "description": chain.description,
                "decision": chosen.value,
                "asked": str(asked.amount),
                "accepted": str(accepted.amount),
                "currency": request.currency,
                "reason": why,
            },
        )
    return answer


# --- payments ----------------------------------------------------------------------------------


def payment_record(
    *,
    access: FamilyAccess,
    direction: str,
    amount: object,
    currency: object,
    paid_on: date | None,
    method: str,
    reference: str = "",
    confirm_overpayment: bool = False,
    corrects: Payment | None = None,
    void: bool = False,
    correction_reason: str = "",
    at: datetime | None = None,
) -> Payment:
    """Either parent records money that went between them: `direction` "sent" (I paid the
    other parent) or "received" (they paid me; counted at once, the receiver said so). A
    payment above what the payer owes is refused unless `confirm_overpayment` says the person
    saw the figure and means it. `corrects`/`void` as for expenses."""
    access.require_parent()
    user = access.membership.user
    now = at or timezone.now()
    problems: list[tuple[str, str]] = []
    if direction not in ("sent", "received"):
        problems.append(("direction", _("Say whether you paid or were paid.")))
    value: Money | None = None
    try:
        value = _money(amount, currency)
    except ExpenseProblem as error:
        problems.extend(error.problems)
    if paid_on is None:
        problems.append(("paid_on", _("Enter the day of the payment.")))
    elif paid_on > _today(access, now):
        problems.append(("paid_on", _("A payment is recorded once it is made, not before.")))
    try:
        chosen = Method(method)
    except ValueError:
        chosen = Method.OTHER
        problems.append(("method", _("Choose how it was paid.")))
    ref = ""
    try:
        ref = _text(reference, "reference", REFERENCE_MAX_CHARS)
    except ExpenseProblem as error:
        problems.extend(error.problems)
    why = ""
    if corrects is not None:
        if corrects.family_id != access.family.pk:
            raise NotFound(_("No such payment."))
        try:
            why = _text(
                correction_reason,
                "correction_reason",
                REASON_MAX_CHARS,
                required=_("Say what the correction is for."),
            )
        except ExpenseProblem as error:
            problems.extend(error.problems)
    if problems or value is None or paid_on is None:
        raise ExpenseProblem(problems)
    other = _other_parent(access)
    payer, receiver = (user, other) if direction == "sent" else (other, user)
    with transaction.atomic():
        _lock(access.family)
        if corrects is not None:
            if corrects.recorded_by_id != user.pk:
                raise ExpenseProblem(_("Only the parent who recorded a payment corrects it."))
            if Payment.objects.filter(corrects=corrects).exists():
                raise AlreadyDone(
                    _("This payment was corrected since; correct its latest version."),
                    reason="corrected",
                )
            if corrects.void:
                raise AlreadyDone(_("This payment was withdrawn."), reason="void")
            if (corrects.paid_by_id, corrects.paid_to_id) != (payer.pk, receiver.pk):
                raise ExpenseProblem(
                    _("A correction keeps who paid whom; record a new payment instead."),
                    field="direction",
                )
        over = False
        if not void:
            view = selectors.balance_of(access)
            owed = view.owes(payer, value.currency) - view.pending_from(payer, value.currency)
            if corrects is not None and not corrects.void and corrects.currency == value.currency:
                # The payment being corrected no longer counts: its amount is owed again.
                owed = owed + Money.of(corrects.amount, corrects.currency)
            over = owed < value
            if over and not confirm_overpayment:
                owed_text = _amount_text(owed if owed.amount > 0 else Money.zero(owed.currency))
                raise Overpayment(
                    _(
                        "This is more than %(payer)s owes (%(owed)s). Check the amount, or "
                        "confirm that you mean to record more."
                    )
                    % {"payer": first_name(_name(payer)), "owed": owed_text},
                    field="confirm_overpayment",
                    reason="overpayment",
                )
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    family=access.family,
                    paid_by=payer,
                    paid_to=receiver,
                    recorded_by=user,
                    paid_on=paid_on,
                    amount=value.amount,
                    currency=value.currency,
                    method=chosen,
                    reference=ref,
                    overpayment=over,
                    corrects=corrects,
                    void=void,
                    correction_reason=why,
                    at=now,
                )
        except IntegrityError:
            raise AlreadyDone(
                _("This payment was corrected since; correct its latest version."),
                reason="corrected",
            ) from None
        record_append(
            family=access.family,
            kind=Kind.PAYMENT_RECORDED,
            actor=user,
            at=now,
            data={
                "payment": str(payment.pk),
                "corrects": str(corrects.pk) if corrects is not None else None,
                "void": void,
                "reason": why,
                "name": _name(user),
                "payer": _name(payer),
                "receiver": _name(receiver),
                "payer_id": payer.pk,
                "receiver_id": receiver.pk,
                "paid_on": paid_on.isoformat(),
                "amount": str(value.amount),
                "currency": value.currency,
                "method": chosen.value,
                "reference": ref,
                "overpayment": over,
            },
        )
    return payment


def payment_correct(
    *,
    access: FamilyAccess,
    payment: Payment,
    correction_reason: str,
    void: bool = False,
    amount: object = None,
    currency: object = None,
    paid_on: date | None = None,
    method: str | None = None,
    reference: str | None = None,
    confirm_overpayment: bool = False,
    at: datetime | None = None,
) -> Payment:
    """The parent who recorded a payment puts it right (a new, linked record: `corrects`) or
    withdraws it (`void`), with a reason. What is left out keeps the earlier record's value;
    who paid whom never changes (that is another payment). A correction by the payer counts
    once the receiver confirms it, as any payment the payer records; one by the receiver
    counts at once."""
    access.require_parent()
    if payment.family_id != access.family.pk:
        raise NotFound(_("No such payment."))
    direction = "sent" if payment.paid_by_id == access.membership.user_id else "received"
    return payment_record(
        access=access,
        direction=direction,
        amount=payment.money.amount if amount in (None, "") else amount,
        currency=payment.currency if currency in (None, "") else currency,
        paid_on=paid_on or payment.paid_on,
        method=method or payment.method,
        reference=payment.reference if reference is None else reference,
        confirm_overpayment=confirm_overpayment,
        corrects=payment,
        void=void,
        correction_reason=correction_reason,
        at=at,
    )


def payment_confirm(
    *, access: FamilyAccess, payment: Payment, at: datetime | None = None
) -> PaymentConfirmation:
    """The receiver says the money arrived: from now on the payment counts in the balance."""
    access.require_parent()
    if payment.family_id != access.family.pk:
        raise NotFound(_("No such payment."))
    user = access.membership.user
    now = at or timezone.now()
    with transaction.atomic():
        _lock(access.family)
        if payment.paid_to_id != user.pk:
            raise ExpenseProblem(_("Only the parent who received a payment confirms it."))
        # A withdrawal, or a record since corrected, is no longer what the payer says was paid:
        # confirming it would count nothing (the latest of its chain counts), so say so.
        if payment.void:
            raise AlreadyDone(_("This payment record was withdrawn."), reason="void")
        if Payment.objects.filter(corrects=payment).exists():
            raise AlreadyDone(
                _("This payment was corrected since; confirm its latest version."),
                reason="corrected",
            )
        if (
            payment.receiver_recorded
            or PaymentConfirmation.objects.filter(payment=payment).exists()
        ):
            raise AlreadyDone(_("This payment is already confirmed."), reason="confirmed")
        try:
            with transaction.atomic():
                confirmation = PaymentConfirmation.objects.create(
                    family=access.family, payment=payment, confirmed_by=user, at=now
                )
        except IntegrityError:
            raise AlreadyDone(_("This payment is already confirmed."), reason="confirmed") from None
        record_append(
            family=access.family,
            kind=Kind.PAYMENT_CONFIRMED,
            actor=user,
            at=now,
            data={
                "payment": str(payment.pk),
                "name": _name(user),
                "payer_id": payment.paid_by_id,
                "amount": str(payment.amount),
                "currency": payment.currency,
                "paid_on": payment.paid_on.isoformat(),
            },
        )
    return confirmation


# --- recurring expenses -----------------------------------------------------------------------


def recurrence_stop(
    *, access: FamilyAccess, recurrence: Recurrence, at: datetime | None = None
) -> RecurrenceStop:
    """A parent stops a monthly expense: nothing more is logged from it."""
    access.require_parent()
    if recurrence.family_id != access.family.pk:
        raise NotFound(_("No such expense."))
    user = access.membership.user
    now = at or timezone.now()
    with transaction.atomic():
        _lock(access.family)
        if RecurrenceStop.objects.filter(recurrence=recurrence).exists():
            raise AlreadyDone(_("This expense no longer repeats."), reason="stopped")
        stop = RecurrenceStop.objects.create(
            family=access.family, recurrence=recurrence, by=user, at=now
        )
        record_append(
            family=access.family,
            kind=Kind.EXPENSE_CORRECTED,
            actor=user,
            at=now,
            data={
                "expense": str(recurrence.expense_id),
                "recurrence": str(recurrence.pk),
                "stopped": True,
                "name": _name(user),
                "description": recurrence.expense.description,
                "reason": _("no longer repeats each month"),
                "void": False,
                "amount": str(recurrence.expense.money.amount),
                "currency": recurrence.expense.currency,
            },
        )
    return stop


def _months_due(start: date, today: date, day: int) -> list[date]:
    """The first days of the months after `start`'s up to `today`'s whose `day` has come."""
    months: list[date] = []
    year, number = start.year, start.month
    while True:
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
        first = date(year, number, 1)
        if first.replace(day=day) > today:
            return months
        months.append(first)


def run_recurring(*, now: datetime | None = None, family: Family | None = None) -> int:
    """Log each running recurrence's expense for every month whose day has come and that has
    none yet, as its payer would (their split, their receipts left out: a receipt is for one
    bill). Idempotent: the (recurrence, month) row commits with the expense. `family` limits
    it to one family's (the demo tells each family's year on its own clock). Returns how many
    it logged."""
    now = now or timezone.now()
    made = 0
    running = Recurrence.objects.filter(stop__isnull=True).select_related("family", "expense")
    if family is not None:
        running = running.filter(family=family)
    for recurrence in running:
        family = recurrence.family
        zone = ZoneInfo(family.timezone)
        today = now.astimezone(zone).date()
        latest = selectors.latest_expense(recurrence.expense)
        if latest.void:
            continue
        done = set(recurrence.runs.values_list("month", flat=True))
        seat = (
            Membership.objects.active()
            .parents()
            .filter(family=family, user_id=latest.paid_by_id)
            .select_related("user", "family")
            .first()
        )
        if seat is None:
            continue  # the payer left the family: nobody to log it for
        access = FamilyAccess(family=family, membership=seat)
        kids = list(latest.for_children.values_list("child_id", flat=True))
        for month in _months_due(recurrence.expense.spent_on, today, recurrence.day_of_month):
            if month in done:
                continue
            details = ExpenseDetails(
                spent_on=month.replace(day=recurrence.day_of_month),
                amount=latest.money,
                category=Category(latest.category),
                description=latest.description,
                children=kids,
                split=Split(latest.percent_a, latest.split_reason, "recurrence"),
            )
            try:
                with transaction.atomic():
                    expense = _write_expense(
                        access, seat.user, details, [], None, False, "", now, recurring=recurrence
                    )
                    RecurrenceRun.objects.create(
                        family=family, recurrence=recurrence, month=month, expense=expense
                    )
                made += 1
            except IntegrityError:
                continue  # another worker logged this month between our check and our insert
    return made


# --- the reminder of a request left waiting ----------------------------------------------------


def _allowed_wait(family: Family, at: datetime) -> timedelta:
    terms = terms_in_force(family, at)
    hours = terms.response_hours[0] if terms.response_hours else DEFAULT_RESPONSE_HOURS
    return timedelta(hours=hours)


def remind_waiting(*, now: datetime | None = None) -> int:
    """One reminder to the parent asked, for each reimbursement request still unanswered after
    the agreement's response time (`response_hours` of the clause in force when it was asked;
    DEFAULT_RESPONSE_HOURS without one). Idempotent: the reminder row and the record entry
    commit together, and a second run or worker finds the row. Returns how many it sent."""
    now = now or timezone.now()
    sent = 0
    waiting = (
        ReimbursementRequest.objects.filter(
            answer__isnull=True, reminder__isnull=True, at__lte=now - timedelta(hours=1)
        )
        .select_related("family", "expense", "asked_by", "asked_of")
        .order_by("at")
    )
    for request in waiting:
        if request.at + _allowed_wait(request.family, request.at) > now:
            continue
        try:
            with transaction.atomic():
                _lock(request.family)
                if Answer.objects.filter(request=request).exists():
                    continue
                ReimbursementReminder.objects.create(family=request.family, request=request, at=now)
                record_append(
                    family=request.family,
                    kind=Kind.REIMBURSEMENT_REMINDED,
                    actor=None,
                    at=now,
                    data={
                        "request": str(request.pk),
                        "expense": str(request.expense_id),
                        "of": _name(request.asked_of),
                        "of_id": request.asked_of_id,
                        "description": request.expense.description,
                        "amount": str(request.money.amount),
                        "currency": request.currency,
                        "asked_at": request.at.isoformat(),
                    },
                )
                sent += 1
        except IntegrityError:
            continue  # another worker sent it between our check and our insert
    return sent


# --- Idempotency-Key twins for the API ---------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """What a creating write made; `replayed` when a retry with the same key found it."""

    obj: Any
    replayed: bool = False


def _once(
    *,
    access: FamilyAccess,
    key: str | None,
    operation: str,
    fields: dict[str, Any],
    receipts: Sequence[IncomingFile] = (),
    create: Callable[[], M],
    find: Callable[[str], M],
) -> Made:
    """`create` with an Idempotency-Key (coparent.messaging.idempotency): a retry with the same
    key and content returns the first result and creates nothing."""
    access.require_parent()
    done = idempotency.once(
        access=access, key=key, operation=operation, fields=fields, files=receipts
    ).run(create, find)
    return Made(done.made, replayed=done.replayed)


def _plain(value: object) -> object:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (date, Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def expense_add_once(
    *, access: FamilyAccess, idempotency_key: str | None = None, **fields: Any
) -> Made:
    receipts: Sequence[IncomingFile] = fields.get("receipts", ())
    return _once(
        access=access,
        key=idempotency_key,
        operation="expense.add",
        fields={k: _plain(v) for k, v in fields.items() if k not in ("receipts", "at")},
        receipts=receipts,
        create=lambda: expense_add(access=access, **fields),
        find=lambda pk: Expense.objects.get(family=access.family, pk=pk),
    )


def reimbursement_ask_once(
    *,
    access: FamilyAccess,
    expense: Expense,
    idempotency_key: str | None = None,
    **fields: Any,
) -> Made:
    return _once(
        access=access,
        key=idempotency_key,
        operation="expense.ask",
        fields={"expense": str(expense.pk), **{k: _plain(v) for k, v in fields.items()}},
        create=lambda: reimbursement_ask(access=access, expense=expense, **fields),
        find=lambda pk: ReimbursementRequest.objects.get(family=access.family, pk=pk),
    )


def payment_record_once(
    *, access: FamilyAccess, idempotency_key: str | None = None, **fields: Any
) -> Made:
    return _once(
        access=access,
        key=idempotency_key,
        operation="expense.pay",
        fields={k: _plain(v) for k, v in fields.items() if k != "at"},
        create=lambda: payment_record(access=access, **fields),
        find=lambda pk: Payment.objects.get(family=access.family, pk=pk),
    )

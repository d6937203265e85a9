"""Shared expenses: what a parent spent for the children, reimbursement requests and their
answers, payments and their confirmations, the balance with its lines, and totals.

Money is shared data: parents and consented professionals read it, a viewer gets 403 on every
operation (a viewer sees no money); only parents write. Amounts travel as strings ("312.40"),
never as JSON numbers: money has no floats anywhere. The creating POSTs (an expense, a request,
a payment) accept an `Idempotency-Key` header: a retry with the same key and content returns
the first result (`Idempotent-Replayed: true`) and creates nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, TypedDict

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.endpoints.messages import (
    file_problems_as_field_errors,
    files_part,
    read_uploads,
    require_form,
)
from coparent.api.idempotency import key_header, say_replayed
from coparent.api.schemas import Day, In, PersonRef, answers
from coparent.core.money import Money
from coparent.expenses import selectors, services
from coparent.expenses.models import (
    DESCRIPTION_MAX_CHARS,
    REASON_MAX_CHARS,
    REFERENCE_MAX_CHARS,
    Category,
    Decision,
    Expense,
    Method,
    Payment,
    ReimbursementRequest,
)
from coparent.families.selectors import FamilyAccess
from coparent.infra import ratelimit

router = Router(tags=["expenses"])

AMOUNT_HELP = 'A string such as "312.40", never a JSON number (money has no floats).'
# Room for what a person may type (spaces, a sign) before the service says what is wrong.
AMOUNT_CHARS = 32


class ExpenseReceiptOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str = Field(..., description="Of the file as kept; the family record holds it too.")


class ExpenseRequestOut(Schema):
    id: uuid.UUID
    expense: uuid.UUID = Field(..., description="The first version of the expense.")
    amount: str
    currency: str
    asked_by: PersonRef
    asked_of: PersonRef
    note: str
    at: datetime
    decision: Decision | None = Field(..., description="null while it waits for an answer.")
    accepted: str | None
    reason: str


class ExpenseOut(Schema):
    id: uuid.UUID
    chain: uuid.UUID = Field(..., description="The first version; corrections share it.")
    corrects: uuid.UUID | None
    void: bool
    spent_on: date
    amount: str
    currency: str
    category: Category
    description: str
    children: list[uuid.UUID]
    paid_by: PersonRef
    percent_a: str = Field(..., description="The first parent's (A's) share, in percent.")
    split_reason: str
    correction_reason: str
    at: datetime
    receipts: list[ExpenseReceiptOut]


class ExpenseFilters(Schema):
    category: Category | None = None
    child: uuid.UUID | None = None
    year: int | None = Field(None, ge=1901, le=2198)


class ExpenseIn(In):
    spent_on: Day
    amount: str = Field(..., max_length=AMOUNT_CHARS, description=AMOUNT_HELP)
    currency: str | None = Field(
        None, max_length=3, description="ISO 4217; the family's by default."
    )
    category: Category
    description: str = Field(..., max_length=DESCRIPTION_MAX_CHARS * 2)
    children: list[uuid.UUID] = Field(..., max_length=20)
    percent_a: str | None = Field(
        None, max_length=8, description="A's share in percent; the agreement's by default."
    )
    split_reason: str = Field("", max_length=REASON_MAX_CHARS * 2)
    repeat_monthly: bool = Field(False, description="Log it again each month on the same day.")


class ExpenseCorrectionIn(ExpenseIn):
    void: bool = Field(False, description="Withdraw the expense instead of correcting it.")
    correction_reason: str = Field(..., max_length=REASON_MAX_CHARS * 2)


class ReimbursementIn(In):
    amount: str | None = Field(
        None, max_length=AMOUNT_CHARS, description="Default: all of the other's share left."
    )
    note: str = Field("", max_length=REASON_MAX_CHARS * 2)


class ReimbursementAnswerIn(In):
    decision: Decision
    amount: str | None = Field(None, max_length=AMOUNT_CHARS, description="For `part`.")
    reason: str = Field("", max_length=REASON_MAX_CHARS * 2)


class PaymentOut(Schema):
    id: uuid.UUID
    paid_by: PersonRef
    paid_to: PersonRef
    recorded_by: PersonRef
    paid_on: date
    amount: str
    currency: str
    method: Method
    reference: str
    overpayment: bool
    corrects: uuid.UUID | None
    void: bool
    confirmed: bool = Field(..., description="Recorded or confirmed by the receiver: counted.")
    at: datetime


class PaymentIn(In):
    direction: str = Field(..., description='"sent" (I paid) or "received" (I was paid).')
    amount: str = Field(..., max_length=AMOUNT_CHARS, description=AMOUNT_HELP)
    currency: str | None = Field(None, max_length=3)
    paid_on: Day
    method: Method
    reference: str = Field("", max_length=REFERENCE_MAX_CHARS * 2)
    confirm_overpayment: bool = Field(
        False, description="Record it even though it is more than the payer owes."
    )


class PaymentCorrectionIn(In):
    """What changes; a field left out keeps the earlier record's value. Who paid whom stays."""

    void: bool = Field(False, description="Withdraw the record instead of correcting it.")
    correction_reason: str = Field(..., max_length=REASON_MAX_CHARS * 2)
    amount: str | None = Field(None, max_length=AMOUNT_CHARS, description=AMOUNT_HELP)
    currency: str | None = Field(None, max_length=3)
    paid_on: Day | None = None
    method: Method | None = None
    reference: str | None = Field(None, max_length=REFERENCE_MAX_CHARS * 2)
    confirm_overpayment: bool = Field(
        False, description="Record it even though it is more than the payer owes."
    )


class BalanceLineOut(Schema):
    kind: str = Field(..., description="reimbursement or payment")
    id: uuid.UUID
    day: date
    what: str
    amount: str = Field(..., description="How much it moves what the second parent owes the first.")
    currency: str


class BalanceFigureOut(Schema):
    currency: str
    debtor: str | None = Field(..., description="The name of who owes; null when even.")
    creditor: str | None
    amount: str
    waiting: str = Field(..., description="Asked and not answered yet: not counted.")
    unconfirmed: str = Field(..., description="Paid, not confirmed by the receiver: not counted.")


class ExpenseBalanceOut(Schema):
    says: list[str] = Field(..., description='"Sam owes Alex 312.40 EUR", one per currency.')
    figures: list[BalanceFigureOut]
    lines: list[BalanceLineOut]


class TotalOut(Schema):
    name: str
    amount: str
    currency: str


class ExpenseTotalsOut(Schema):
    by_category: list[TotalOut]
    by_child: list[TotalOut]
    by_year: list[TotalOut]


def _text(value: object) -> str:
    return str(value)


def _expense_out(expense: Expense) -> ExpenseOut:
    return ExpenseOut(
        id=expense.pk,
        chain=expense.chain_id,
        corrects=expense.corrects_id,
        void=expense.void,
        spent_on=expense.spent_on,
        amount=str(Money.of(expense.amount, expense.currency).amount),
        currency=expense.currency,
        category=Category(expense.category),
        description=expense.description,
        children=[link.child_id for link in expense.for_children.all()],
        paid_by=PersonRef.of(expense.paid_by),
        percent_a=str(expense.percent_a),
        split_reason=expense.split_reason,
        correction_reason=expense.correction_reason,
        at=expense.at,
        receipts=[
            ExpenseReceiptOut(
                id=r.pk, name=r.name, content_type=r.content_type, size=r.size, sha256=r.sha256
            )
            for r in expense.receipts.all()
        ],
    )


def _request_out(request: ReimbursementRequest) -> ExpenseRequestOut:
    answer = selectors.answer_of(request)
    return ExpenseRequestOut(
        id=request.pk,
        expense=request.expense_id,
        amount=str(Money.of(request.amount, request.currency).amount),
        currency=request.currency,
        asked_by=PersonRef.of(request.asked_by),
        asked_of=PersonRef.of(request.asked_of),
        note=request.note,
        at=request.at,
        decision=Decision(answer.decision) if answer else None,
        accepted=str(Money.of(answer.accepted, request.currency).amount) if answer else None,
        reason=answer.reason if answer else "",
    )


def _payment_out(payment: Payment, confirmed: set[uuid.UUID]) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        paid_by=PersonRef.of(payment.paid_by),
        paid_to=PersonRef.of(payment.paid_to),
        recorded_by=PersonRef.of(payment.recorded_by),
        paid_on=payment.paid_on,
        amount=str(Money.of(payment.amount, payment.currency).amount),
        currency=payment.currency,
        method=Method(payment.method),
        reference=payment.reference,
        overpayment=payment.overpayment,
        corrects=payment.corrects_id,
        void=payment.void,
        confirmed=payment.receiver_recorded or payment.pk in confirmed,
        at=payment.at,
    )


def _one_expense(access: FamilyAccess, expense_id: object) -> ExpenseOut:
    return _expense_out(selectors.expense_with_details(access, expense_id))


class ExpenseFields(TypedDict):
    spent_on: date
    amount: str
    currency: str
    category: str
    description: str
    children: list[uuid.UUID]
    percent_a: str | None
    split_reason: str


def _expense_fields(access: FamilyAccess, payload: ExpenseIn) -> ExpenseFields:
    return {
        "spent_on": payload.spent_on,
        "amount": payload.amount,
        "currency": payload.currency or selectors.family_currency(access.family),
        "category": payload.category.value,
        "description": payload.description,
        "children": list(payload.children),
        "percent_a": payload.percent_a,
        "split_reason": payload.split_reason,
    }


@router.get(
    "/families/{uuid:family_id}/expenses",
    response=answers({200: list[ExpenseOut]}, 403, 404, 422),
    summary="The family's expenses as they stand, newest first (parents, professionals)",
    description="Corrected expenses appear as their latest version, withdrawn ones not at all.",
)
def expense_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[ExpenseFilters]
) -> list[ExpenseOut]:
    access = family_access(request, family_id)
    rows = selectors.expense_rows(
        access,
        category=filters.category.value if filters.category else "",
        child=filters.child,
        year=filters.year,
    )
    return [_expense_out(row.expense) for row in rows]


@router.post(
    "/families/{uuid:family_id}/expenses",
    response=answers({201: ExpenseOut}, 400, 403, 404, 409, 422),
    summary="Log an expense for the children (parents); the split is the agreement's by default",
)
def expense_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: ExpenseIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[ExpenseOut]:
    access = family_access(request, family_id)
    made = services.expense_add_once(
        access=access,
        idempotency_key=idempotency_key,
        repeat_monthly=payload.repeat_monthly,
        **_expense_fields(access, payload),
    )
    say_replayed(response, made.replayed)
    return Status(201, _one_expense(access, made.obj.pk))


@router.post(
    "/families/{uuid:family_id}/expenses/upload",
    response=answers({201: ExpenseOut}, 400, 403, 404, 415, 422, 429),
    summary="Log an expense with receipts, photos or PDFs (multipart/form-data; parents)",
)
def expense_upload(
    request: HttpRequest,
    family_id: uuid.UUID,
    # All optional here so that the access and form checks answer first; the service names
    # each missing field.
    spent_on: Annotated[Day | None, Form(None)] = None,
    amount: Annotated[str, Form(max_length=AMOUNT_CHARS)] = "",
    category: Annotated[str, Form(max_length=20)] = "",
    description: Annotated[str, Form(max_length=DESCRIPTION_MAX_CHARS * 2)] = "",
    children: Annotated[list[uuid.UUID], Form(max_length=20)] = [],  # noqa: B006
    currency: Annotated[str, Form(max_length=3)] = "",
    percent_a: Annotated[str, Form(max_length=8)] = "",
    split_reason: Annotated[str, Form(max_length=REASON_MAX_CHARS * 2)] = "",
    uploads: Annotated[list[UploadedFile], files_part()] = [],  # noqa: B006
) -> Status[ExpenseOut]:
    access = family_access(request, family_id)
    access.require_parent()
    require_form(request, f"/api/v1/families/{family_id}/expenses")
    ratelimit.hit(request, "upload", cost=len(uploads))
    with file_problems_as_field_errors("receipts"):
        expense = services.expense_add(
            access=access,
            spent_on=spent_on,
            amount=amount,
            currency=currency or selectors.family_currency(access.family),
            category=category,
            description=description,
            children=children,
            percent_a=percent_a or None,
            split_reason=split_reason,
            receipts=read_uploads(uploads),
        )
    return Status(201, _one_expense(access, expense.pk))


@router.get(
    "/families/{uuid:family_id}/expenses/{uuid:expense_id}",
    response=answers({200: ExpenseOut}, 403, 404),
    summary="One version of an expense, with its receipts",
)
def expense_detail(request: HttpRequest, family_id: uuid.UUID, expense_id: uuid.UUID) -> ExpenseOut:
    access = family_access(request, family_id)
    return _one_expense(access, expense_id)


@router.post(
    "/families/{uuid:family_id}/expenses/{uuid:expense_id}/corrections",
    response=answers({201: ExpenseOut}, 400, 403, 404, 409, 422),
    summary="Correct or withdraw one of your expenses: a new, linked version (parents)",
)
def expense_correct(
    request: HttpRequest, family_id: uuid.UUID, expense_id: uuid.UUID, payload: ExpenseCorrectionIn
) -> Status[ExpenseOut]:
    access = family_access(request, family_id)
    access.require_parent()
    earlier = selectors.get_expense(access, expense_id)
    made = services.expense_add(
        access=access,
        corrects=earlier,
        void=payload.void,
        correction_reason=payload.correction_reason,
        **_expense_fields(access, payload),
    )
    return Status(201, _one_expense(access, made.pk))


@router.get(
    "/families/{uuid:family_id}/expenses/{uuid:expense_id}/reimbursements",
    response=answers({200: list[ExpenseRequestOut]}, 403, 404),
    summary="The reimbursement requests of an expense, with their answers",
)
def reimbursement_list(
    request: HttpRequest, family_id: uuid.UUID, expense_id: uuid.UUID
) -> list[ExpenseRequestOut]:
    access = family_access(request, family_id)
    expense = selectors.get_expense(access, expense_id)
    return [_request_out(r) for r in selectors.requests_of(access, expense)]


@router.post(
    "/families/{uuid:family_id}/expenses/{uuid:expense_id}/reimbursements",
    response=answers({201: ExpenseRequestOut}, 400, 403, 404, 409, 422),
    summary="Ask the other parent to reimburse their share, or part of it (the parent who paid)",
)
def reimbursement_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    expense_id: uuid.UUID,
    payload: ReimbursementIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[ExpenseRequestOut]:
    access = family_access(request, family_id)
    access.require_parent()
    expense = selectors.get_expense(access, expense_id)
    made = services.reimbursement_ask_once(
        access=access,
        expense=expense,
        idempotency_key=idempotency_key,
        amount=payload.amount,
        note=payload.note,
    )
    say_replayed(response, made.replayed)
    return Status(201, _request_out(selectors.get_request(access, made.obj.pk)))


@router.post(
    "/families/{uuid:family_id}/reimbursements/{uuid:request_id}/answer",
    response=answers({200: ExpenseRequestOut}, 400, 403, 404, 409, 422),
    summary="Answer a reimbursement request: accept, part (with an amount) or dispute (reason)",
)
def reimbursement_answer(
    request: HttpRequest,
    family_id: uuid.UUID,
    request_id: uuid.UUID,
    payload: ReimbursementAnswerIn,
) -> ExpenseRequestOut:
    access = family_access(request, family_id)
    access.require_parent()
    asked = selectors.get_request(access, request_id)
    services.reimbursement_answer(
        access=access,
        request=asked,
        decision=payload.decision.value,
        amount=payload.amount,
        reason=payload.reason,
    )
    return _request_out(selectors.get_request(access, request_id))


@router.get(
    "/families/{uuid:family_id}/payments",
    response=answers({200: list[PaymentOut]}, 403, 404),
    summary="The payments between the parents, newest first, corrections included",
)
def payment_list(request: HttpRequest, family_id: uuid.UUID) -> list[PaymentOut]:
    access = family_access(request, family_id)
    rows, confirmed = selectors.payments_of(access)
    return [_payment_out(p, confirmed) for p in rows]


@router.post(
    "/families/{uuid:family_id}/payments",
    response=answers({201: PaymentOut}, 400, 403, 404, 409, 422),
    summary="Record a payment you made or received (parents); more than is owed needs "
    "`confirm_overpayment`",
)
def payment_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: PaymentIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[PaymentOut]:
    access = family_access(request, family_id)
    made = services.payment_record_once(
        access=access,
        idempotency_key=idempotency_key,
        direction=payload.direction,
        amount=payload.amount,
        currency=payload.currency or selectors.family_currency(access.family),
        paid_on=payload.paid_on,
        method=payload.method.value,
        reference=payload.reference,
        confirm_overpayment=payload.confirm_overpayment,
    )
    say_replayed(response, made.replayed)
    payment = selectors.get_payment(access, made.obj.pk)
    return Status(201, _payment_out(payment, selectors.confirmed_ids(access, [payment])))


@router.post(
    "/families/{uuid:family_id}/payments/{uuid:payment_id}/confirm",
    response=answers({200: PaymentOut}, 400, 403, 404, 409),
    summary="Confirm a payment you received (its receiver): from now on it counts",
)
def payment_confirm(
    request: HttpRequest, family_id: uuid.UUID, payment_id: uuid.UUID
) -> PaymentOut:
    access = family_access(request, family_id)
    access.require_parent()
    payment = selectors.get_payment(access, payment_id)
    services.payment_confirm(access=access, payment=payment)
    return _payment_out(payment, {payment.pk})


@router.post(
    "/families/{uuid:family_id}/payments/{uuid:payment_id}/corrections",
    response=answers({201: PaymentOut}, 400, 403, 404, 409, 422),
    summary="Correct or withdraw a payment you recorded: a new, linked record (parents)",
    description="Recorded by the payer, the correction counts once the receiver confirms it; "
    "recorded by the receiver, at once. The earlier record stays and no longer counts.",
)
def payment_correct(
    request: HttpRequest, family_id: uuid.UUID, payment_id: uuid.UUID, payload: PaymentCorrectionIn
) -> Status[PaymentOut]:
    access = family_access(request, family_id)
    access.require_parent()
    earlier = selectors.get_payment(access, payment_id)
    made = services.payment_correct(
        access=access,
        payment=earlier,
        void=payload.void,
        correction_reason=payload.correction_reason,
        amount=payload.amount,
        currency=payload.currency,
        paid_on=payload.paid_on,
        method=payload.method.value if payload.method else None,
        reference=payload.reference,
        confirm_overpayment=payload.confirm_overpayment,
    )
    payment = selectors.get_payment(access, made.pk)
    return Status(201, _payment_out(payment, selectors.confirmed_ids(access, [payment])))


@router.get(
    "/families/{uuid:family_id}/expenses-balance",
    response=answers({200: ExpenseBalanceOut}, 403, 404),
    summary="Who owes whom, per currency, with every line that makes it up",
)
def balance(request: HttpRequest, family_id: uuid.UUID) -> ExpenseBalanceOut:
    access = family_access(request, family_id)
    view = selectors.balance_of(access)
    currencies = sorted(
        set(view.result.owed)
        | set(view.result.waiting)
        | {p.amount.currency for p in view.result.unconfirmed}
    )
    figures = []
    for code in currencies:
        found = view.result.debtor(code)
        unconfirmed = sum(
            (p.amount.amount for p in view.result.unconfirmed if p.amount.currency == code),
            Money.zero(code).amount,
        )
        figures.append(
            BalanceFigureOut(
                currency=code,
                debtor=view.names[found[0]] if found else None,
                creditor=view.names[found[1]] if found else None,
                amount=str(found[2].amount if found else Money.zero(code).amount),
                waiting=str(view.result.waiting.get(code, Money.zero(code)).amount),
                unconfirmed=str(unconfirmed),
            )
        )
    return ExpenseBalanceOut(
        says=view.sentences(),
        figures=figures,
        lines=[
            BalanceLineOut(
                kind=line.kind,
                id=uuid.UUID(line.id),
                day=line.when,
                what=line.what,
                amount=str(line.effect.amount),
                currency=line.effect.currency,
            )
            for line in view.lines
        ],
    )


class TotalsFilters(Schema):
    year: int | None = Field(None, ge=1901, le=2198)


@router.get(
    "/families/{uuid:family_id}/expenses-totals",
    response=answers({200: ExpenseTotalsOut}, 403, 404, 422),
    summary="What was spent, by category, child and year (a child counts each expense for them)",
)
def totals(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[TotalsFilters]
) -> ExpenseTotalsOut:
    access = family_access(request, family_id)
    got = selectors.totals(access, year=filters.year)

    def rows(table: dict[str, dict[str, Money]] | dict[int, dict[str, Money]]) -> list[TotalOut]:
        return [
            TotalOut(name=_text(name), amount=str(value.amount), currency=code)
            for name, by_code in table.items()
            for code, value in sorted(by_code.items())
        ]

    return ExpenseTotalsOut(
        by_category=rows(got.by_category), by_child=rows(got.by_child), by_year=rows(got.by_year)
    )


@router.post(
    "/families/{uuid:family_id}/expenses/{uuid:expense_id}/stop-repeating",
    response=answers({200: ExpenseOut}, 400, 403, 404, 409),
    summary="Stop a monthly expense: nothing more is logged from it (parents)",
)
def expense_stop_repeating(
    request: HttpRequest, family_id: uuid.UUID, expense_id: uuid.UUID
) -> ExpenseOut:
    access = family_access(request, family_id)
    access.require_parent()
    expense = selectors.get_expense(access, expense_id)
    recurrence = selectors.recurrence_of(access, expense)
    if recurrence is None:
        raise services.ExpenseProblem(_("This expense does not repeat."))
    services.recurrence_stop(access=access, recurrence=recurrence)
    return _one_expense(access, expense_id)

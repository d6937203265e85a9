"""Shared-expense pages: the list with filters and the balance, logging an expense (with a
receipt), one expense with its reimbursement requests and answers, the payments, the balance
with its lines, and the monthly statement (page, CSV, PDF).

Thin views (STYLE.md 6): `@family_view(shared=True)` lets parents and consented professionals
read (a viewer sees no money), `parent=True` lets only parents write; selectors compose, one
service call writes.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.expenses import document, selectors, services
from coparent.expenses.forms import (
    AnswerForm,
    AskForm,
    ExpenseCorrectionForm,
    ExpenseFilterForm,
    ExpenseForm,
    PaymentCorrectionForm,
    PaymentForm,
    StatementForm,
    WithdrawForm,
    YearForm,
)
from coparent.expenses.models import Decision, Expense, Payment
from coparent.messaging import attachments as files
from coparent.messaging.forms import incoming
from coparent.web import files as kept_files
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, add_service_error, posted, say_errors, submit
from coparent.web.pages import FamilyPages
from coparent.web.zones import family_zone

render_page = FamilyPages(nav="expenses")


def _today(request: FamilyRequest) -> date:
    return timezone.now().astimezone(family_zone(request.family)).date()


@family_view(shared=True)
@require_GET
def expense_list_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    children = selectors.family_children(access)
    form = ExpenseFilterForm(request.GET or None, children=children)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = {
                "category": form.cleaned_data.get("category") or "",
                "child": form.cleaned_data.get("child") or None,
                "year": form.cleaned_data.get("year"),
            }
        else:
            status = 400
    rows, balance = selectors.list_page(access, **filters)
    return render_page(
        request, "expenses/list.html", status=status, form=form, rows=rows, balance=balance
    )


def _expense_fields(request: FamilyRequest, data: dict[str, Any]) -> dict[str, Any]:
    """What the add and correct forms both say of an expense, as the service's keywords."""
    return {
        "spent_on": data["spent_on"],
        "amount": data["amount"],
        "currency": data["currency"],
        "category": data["category"],
        "description": data["description"],
        "children": data["children"],
        "percent_a": data["percent_a"] or None,
        "split_reason": data["split_reason"],
        "receipts": incoming(request.FILES.getlist("receipts")),
    }


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def expense_add_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = ExpenseForm(
        posted(request),
        request.FILES or None,
        children=selectors.family_children(access),
        initial={
            "spent_on": _today(request),
            "currency": selectors.family_currency(request.family),
        },
    )
    expense = submit(
        form,
        lambda data: services.expense_add(
            access=access,
            repeat_monthly=data["repeat_monthly"],
            **_expense_fields(request, data),
        ),
    )
    if expense:
        messages.success(request, _("Added to the family's expenses."))
        return redirect("expenses:detail", family_id=request.family.pk, expense_id=expense.pk)
    return render_page(request, "expenses/form.html", status=400 if form.errors else 200, form=form)


def _show(
    request: FamilyRequest,
    expense_id: uuid.UUID,
    *,
    ask_form: AskForm | None = None,
    answer_form: AnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = request.family_access
    expense = selectors.expense_with_details(access, expense_id)
    latest = selectors.latest_expense(expense)
    requests = selectors.requests_of(access, expense)
    me = request.user
    waiting_for_me = [
        r for r in requests if r.asked_of_id == me.pk and selectors.answer_of(r) is None
    ]
    can_ask = access.is_parent and latest.paid_by_id == me.pk and not latest.void
    return render_page(
        request,
        "expenses/detail.html",
        status=status,
        expense=expense,
        latest=latest,
        requests=requests,
        ask_form=(ask_form or AskForm()) if can_ask else None,
        answer_form=answer_form or AnswerForm(),
        waiting_for_me=waiting_for_me if access.is_parent else [],
        recurrence=selectors.recurrence_of(access, expense),
        may_correct=selectors.may_correct(access, expense, latest),
    )


@family_view(shared=True)
@require_GET
def expense_detail_page(request: FamilyRequest, expense_id: uuid.UUID) -> HttpResponse:
    return _show(request, expense_id)


@family_view(parent=True)
@require_POST
def ask_action(request: FamilyRequest, expense_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    expense = selectors.get_expense(access, expense_id)
    form = AskForm(request.POST)
    made = submit(
        form,
        lambda data: services.reimbursement_ask(
            access=access, expense=expense, amount=data["amount"] or None, note=data["note"]
        ),
    )
    if made:
        messages.success(request, _("Asked. The other parent is told and can answer."))
        return redirect("expenses:detail", family_id=request.family.pk, expense_id=expense_id)
    return _show(request, expense_id, ask_form=form, status=400)


@family_view(parent=True)
@require_POST
def answer_action(request: FamilyRequest, request_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    asked = selectors.get_request(access, request_id)
    form = AnswerForm(request.POST)
    made = submit(
        form,
        lambda data: services.reimbursement_answer(
            access=access,
            request=asked,
            decision=data["decision"],
            amount=data["amount"] or None,
            reason=data["reason"],
        ),
    )
    if made:
        done = {
            Decision.ACCEPT: _("Accepted. It is in the balance."),
            Decision.PART: _("Accepted in part. That part is in the balance."),
            Decision.DISPUTE: _("Disputed. Your reason is on the record."),
        }
        messages.success(request, str(done[Decision(made.decision)]))
        return redirect("expenses:detail", family_id=request.family.pk, expense_id=asked.expense_id)
    return _show(request, asked.expense_id, answer_form=form, status=400)


@family_view(shared=True)
@require_GET
def receipt_page(request: FamilyRequest, receipt_id: uuid.UUID) -> FileResponse:
    """A receipt as it was kept (a download), behind the access path."""
    found = selectors.get_receipt(request.family_access, receipt_id)
    return kept_files.download(
        files.path_of(found.stored_name), filename=found.name, content_type=found.content_type
    )


@family_view(shared=True)
@require_http_methods(["GET", "POST"])
def payments_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    form = None
    over = False
    if access.is_parent:
        form = PaymentForm(
            posted(request),
            initial={
                "direction": "sent",
                "paid_on": _today(request),
                "currency": selectors.family_currency(request.family),
                "method": "transfer",
            },
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                services.payment_record(access=access, **data)
            except services.ExpenseProblem as error:
                over = isinstance(error, services.Overpayment)
                add_service_error(form, error)
            else:
                messages.success(request, _("The payment is recorded."))
                return redirect("expenses:payments", family_id=request.family.pk)
    elif request.method == "POST":
        say_errors(request, services.ExpenseProblem(_("Only a parent records a payment.")))
        return redirect("expenses:payments", family_id=request.family.pk)
    rows, confirmed = selectors.payments_of(access)
    return render_page(
        request,
        "expenses/payments.html",
        status=400 if form is not None and form.errors else 200,
        form=form,
        over=over,
        payments=rows,
        confirmed=confirmed,
        replaced=selectors.replaced_ids(rows),
    )


@family_view(parent=True)
@require_POST
def confirm_action(request: FamilyRequest, payment_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    payment = selectors.get_payment(access, payment_id)
    try:
        services.payment_confirm(access=access, payment=payment)
    except services.ExpenseProblem as error:
        say_errors(request, error)
    else:
        messages.success(request, _("Confirmed. The payment counts in the balance."))
    return redirect("expenses:payments", family_id=request.family.pk)


@family_view(shared=True)
@require_GET
def balance_page(request: FamilyRequest) -> HttpResponse:
    access = request.family_access
    year = _today(request).year
    return render_page(
        request,
        "expenses/balance.html",
        balance=selectors.balance_of(access),
        totals=selectors.totals(access),
        year=year,
    )


def _month(request: FamilyRequest) -> tuple[StatementForm, date]:
    form = StatementForm(request.GET or None)
    month = _today(request).replace(day=1)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    return form, month


@family_view(shared=True)
@require_GET
def statement_page(request: FamilyRequest) -> HttpResponse:
    form, month = _month(request)
    shown = selectors.statement(request.family_access, month)
    return render_page(
        request,
        "expenses/statement.html",
        status=400 if form.errors else 200,
        form=form,
        shown=shown,
    )


@family_view(shared=True)
@require_GET
def statement_csv(request: FamilyRequest) -> HttpResponse:
    _form, month = _month(request)
    shown = selectors.statement(request.family_access, month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("date"),
            _("kind"),
            _("what"),
            _("paid by"),
            _("amount"),
            _("currency"),
            _("share of %(name)s") % {"name": shown.names["A"]},
            _("share of %(name)s") % {"name": shown.names["B"]},
        ]
    )
    for line in shown.lines:
        writer.writerow(
            [
                line.day.isoformat(),
                line.kind,
                _csv_safe(line.what),
                _csv_safe(line.who),
                str(line.amount.amount),
                line.amount.currency,
                str(line.share_a.amount) if line.share_a else "",
                str(line.share_b.amount) if line.share_b else "",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="expenses-{month:%Y-%m}.csv"'
    return response


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@family_view(shared=True)
@require_GET
def statement_pdf(request: FamilyRequest) -> HttpResponse:
    _form, month = _month(request)
    shown = selectors.statement(request.family_access, month)
    pdf = document.statement_pdf(request, shown=shown, family=request.family)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="expenses-{month:%Y-%m}.pdf"'
    return response


def _year(request: FamilyRequest) -> tuple[YearForm, selectors.YearSummary]:
    """The year asked for (this year in the family's zone by default) and its summary."""
    form = YearForm(request.GET or None)
    year = _today(request).year
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    summary = selectors.year_summary(
        request.family_access, year, selectors.family_currency(request.family)
    )
    return form, summary


@family_view(shared=True)
@require_GET
def year_page(request: FamilyRequest) -> HttpResponse:
    """The year per child, by category, with the chart of the year's totals."""
    form, summary = _year(request)
    return render_page(
        request,
        "expenses/year.html",
        status=400 if form.errors else 200,
        form=form,
        summary=summary,
    )


@family_view(shared=True)
@require_GET
def year_csv(request: FamilyRequest) -> HttpResponse:
    """The year per child for tax time, one row per expense and child, then each child's
    totals by category (a row whose date is empty)."""
    _form, summary = _year(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("child"), _("date"), _("category"), _("what"), _("paid by"), _("amount"), _("currency")]
    )
    for name, table, total, lines in summary.children():
        for line in lines:
            writer.writerow(
                [
                    _csv_safe(name),
                    line.day.isoformat(),
                    line.category,
                    _csv_safe(line.what),
                    _csv_safe(line.paid_by),
                    str(line.amount.amount),
                    line.amount.currency,
                ]
            )
        for label, amount in table.items():
            writer.writerow(
                [_csv_safe(name), "", label, _("total"), "", str(amount.amount), amount.currency]
            )
        writer.writerow(
            [_csv_safe(name), "", _("all"), _("total"), "", str(total.amount), total.currency]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="expenses-{summary.year}-per-child.csv"'
    )
    return response


@family_view(shared=True)
@require_GET
def year_pdf(request: FamilyRequest) -> HttpResponse:
    _form, summary = _year(request)
    pdf = document.year_pdf(request, summary=summary, family=request.family)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="expenses-{summary.year}-per-child.pdf"'
    )
    return response


@family_view(parent=True)
@require_POST
def stop_repeat_action(request: FamilyRequest, expense_id: uuid.UUID) -> HttpResponse:
    access = request.family_access
    expense = selectors.get_expense(access, expense_id)
    recurrence = selectors.recurrence_of(access, expense)
    if recurrence is None:
        say_errors(request, services.ExpenseProblem(_("This expense does not repeat.")))
    else:
        act(
            request,
            lambda: services.recurrence_stop(access=access, recurrence=recurrence),
            _("Stopped: it is no longer logged each month."),
        )
    return redirect("expenses:detail", family_id=request.family.pk, expense_id=expense_id)


# --- corrections and withdrawals: a new, linked entry, never an edit --------------------------


def _expense_initial(expense: Expense) -> dict[str, Any]:
    """The form filled with the version being corrected (its own split only if it had one)."""
    return {
        "spent_on": expense.spent_on,
        "amount": str(expense.money.amount),
        "currency": expense.currency,
        "category": expense.category,
        "children": [str(link.child_id) for link in expense.for_children.all()],
        "description": expense.description,
        "percent_a": str(expense.percent_a) if expense.split_reason else "",
        "split_reason": expense.split_reason,
    }


def _correctable(request: FamilyRequest, expense_id: uuid.UUID) -> Expense | None:
    """The version to correct, or None (with the reason said) when this parent may not."""
    access = request.family_access
    expense = selectors.expense_with_details(access, expense_id)
    latest = selectors.latest_expense(expense)
    if selectors.may_correct(access, expense, latest):
        return expense
    if latest.pk != expense.pk:
        say_errors(
            request,
            services.ExpenseProblem(
                _("This expense was withdrawn.")
                if latest.void
                else _("This expense was corrected since; correct its latest version.")
            ),
        )
    else:
        say_errors(
            request,
            services.ExpenseProblem(_("Only the parent who logged an expense corrects it.")),
        )
    return None


def _correct_page(
    request: FamilyRequest,
    expense: Expense,
    *,
    form: ExpenseCorrectionForm | None = None,
    withdraw: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    children = selectors.family_children(request.family_access)
    return render_page(
        request,
        "expenses/correct.html",
        status=status,
        expense=expense,
        form=form or ExpenseCorrectionForm(children=children, initial=_expense_initial(expense)),
        withdraw=withdraw or WithdrawForm(),
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def expense_correct_page(request: FamilyRequest, expense_id: uuid.UUID) -> HttpResponse:
    """The expense as it should have been: a new version linked to this one, which stays."""
    expense = _correctable(request, expense_id)
    if expense is None:
        return redirect("expenses:detail", family_id=request.family.pk, expense_id=expense_id)
    if request.method != "POST":
        return _correct_page(request, expense)
    access = request.family_access
    form = ExpenseCorrectionForm(
        request.POST, request.FILES, children=selectors.family_children(access)
    )
    made = submit(
        form,
        lambda data: services.expense_add(
            access=access,
            corrects=expense,
            **_expense_fields(request, data),
            correction_reason=data["correction_reason"],
        ),
    )
    if made:
        messages.success(request, _("Corrected. The earlier version stays, linked to this one."))
        return redirect("expenses:detail", family_id=request.family.pk, expense_id=made.pk)
    return _correct_page(request, expense, form=form, status=400)


@family_view(parent=True)
@require_POST
def expense_withdraw_action(request: FamilyRequest, expense_id: uuid.UUID) -> HttpResponse:
    """Withdraw an expense: it stops counting (and repeating); it stays on the record."""
    expense = _correctable(request, expense_id)
    if expense is None:
        return redirect("expenses:detail", family_id=request.family.pk, expense_id=expense_id)
    access = request.family_access
    form = WithdrawForm(request.POST)
    made = submit(
        form,
        lambda data: services.expense_withdraw(
            access=access, expense=expense, reason=data["correction_reason"]
        ),
    )
    if made:
        messages.success(request, _("Withdrawn. It no longer counts; it stays on the record."))
        return redirect("expenses:list", family_id=request.family.pk)
    return _correct_page(request, expense, withdraw=form, status=400)


def _payment_initial(payment: Payment) -> dict[str, Any]:
    return {
        "amount": str(payment.money.amount),
        "currency": payment.currency,
        "paid_on": payment.paid_on,
        "method": payment.method,
        "reference": payment.reference,
    }


def _payment_correctable(request: FamilyRequest, payment_id: uuid.UUID) -> Payment | None:
    """The payment record to correct, or None (with the reason said) when this parent may
    not: only its recorder, on a record neither withdrawn nor corrected since."""
    access = request.family_access
    payment = selectors.get_payment(access, payment_id)
    problem = selectors.payment_correction_problem(access, payment)
    if problem:
        say_errors(request, services.ExpenseProblem(problem))
        return None
    return payment


def _payment_page(
    request: FamilyRequest,
    payment: Payment,
    *,
    form: PaymentCorrectionForm | None = None,
    withdraw: WithdrawForm | None = None,
    over: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "expenses/payment_correct.html",
        status=status,
        payment=payment,
        form=form or PaymentCorrectionForm(initial=_payment_initial(payment)),
        withdraw=withdraw or WithdrawForm(),
        over=over,
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def payment_correct_page(request: FamilyRequest, payment_id: uuid.UUID) -> HttpResponse:
    """A payment record as it should have been: a new record linked to this one. Recorded by
    the payer, it counts again once the receiver confirms it."""
    payment = _payment_correctable(request, payment_id)
    if payment is None:
        return redirect("expenses:payments", family_id=request.family.pk)
    if request.method != "POST":
        return _payment_page(request, payment)
    form = PaymentCorrectionForm(request.POST)
    over = False
    if form.is_valid():
        try:
            services.payment_correct(
                access=request.family_access, payment=payment, **form.cleaned_data
            )
        except services.ExpenseProblem as error:
            over = isinstance(error, services.Overpayment)
            add_service_error(form, error)
        else:
            messages.success(request, _("Corrected. The earlier record stays, linked to this one."))
            return redirect("expenses:payments", family_id=request.family.pk)
    return _payment_page(request, payment, form=form, over=over, status=400)


@family_view(parent=True)
@require_POST
def payment_withdraw_action(request: FamilyRequest, payment_id: uuid.UUID) -> HttpResponse:
    """Withdraw a payment record (it was never made, or recorded twice): it stops counting."""
    payment = _payment_correctable(request, payment_id)
    if payment is None:
        return redirect("expenses:payments", family_id=request.family.pk)
    form = WithdrawForm(request.POST)
    made = submit(
        form,
        lambda data: services.payment_correct(
            access=request.family_access,
            payment=payment,
            void=True,
            correction_reason=data["correction_reason"],
        ),
    )
    if made:
        messages.success(request, _("Withdrawn. It no longer counts; it stays on the record."))
        return redirect("expenses:payments", family_id=request.family.pk)
    return _payment_page(request, payment, withdraw=form, status=400)

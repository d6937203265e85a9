"""The ledger through the services: Alex logs a doctor's bill and asks Sam for half; Sam
accepts, pays part; the balance says what is left, and the record holds each step, never
edited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction

from coparent.core.money import Money
from coparent.expenses import selectors, services
from coparent.expenses.models import (
    Answer,
    Expense,
    Payment,
    PaymentConfirmation,
    Receipt,
    ReimbursementRequest,
)
from coparent.messaging.attachments import IncomingFile
from coparent.records.models import Kind, RecordEntry
from tests.expenses.conftest import ask, log, pay, yesterday
from tests.messaging.conftest import PDF_BYTES, jpeg_with_gps

pytestmark = pytest.mark.django_db


def eur(text: str) -> Money:
    return Money.of(Decimal(text), "EUR")


def test_alex_asks_half_sam_accepts_and_pays_part(cast):
    bill = log(cast, receipts=[IncomingFile("IMG_2041.JPG", jpeg_with_gps())])
    assert bill.percent_a == Decimal(50) and bill.split_reason == ""
    request = ask(cast, bill)
    assert (request.amount, request.asked_of) == (Decimal("60.000"), cast.sam)

    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    pay(cast, amount="20.00")  # Sam says he paid: counted once Alex confirms

    view = selectors.balance_of(cast.access(cast.alex))
    assert view.sentences() == ["Sam owes Alex 60.00 EUR"]
    payment = Payment.objects.get()
    services.payment_confirm(access=cast.access(cast.alex), payment=payment)

    for who in (cast.alex, cast.sam, cast.morgan):
        view = selectors.balance_of(cast.access(who))
        assert view.sentences() == ["Sam owes Alex 40.00 EUR"]
        assert sum((line.effect for line in view.lines), eur("0")) == eur("40.00")
        assert [line.kind for line in view.lines] == ["reimbursement", "payment"]

    kinds = list(
        RecordEntry.objects.filter(kind__startswith="expense.").values_list("kind", flat=True)
    )
    assert kinds == [
        Kind.EXPENSE_ADDED,
        Kind.REIMBURSEMENT_ASKED,
        Kind.REIMBURSEMENT_ANSWERED,
        Kind.PAYMENT_RECORDED,
        Kind.PAYMENT_CONFIRMED,
    ]
    added = RecordEntry.objects.get(kind=Kind.EXPENSE_ADDED).data
    assert added["receipts"][0]["sha256"] == Receipt.objects.get().sha256
    assert (added["share_a"], added["share_b"]) == ("60.00", "60.00")


def test_the_agreement_split_applies_and_a_different_one_needs_a_reason(cast, agreed_split):
    agreed_split(60, 40)
    bill = log(cast, amount="100.01")
    assert bill.percent_a == Decimal(60)
    assert ask(cast, bill).amount == Decimal("40.00")  # the odd cent stays with Alex who paid

    with pytest.raises(services.ExpenseProblem) as caught:
        log(cast, percent_a="50")
    assert caught.value.field == "split_reason"
    camp = log(cast, percent_a="50", split_reason="We agreed to share the camp evenly")
    assert camp.split_reason.startswith("We agreed")


def test_a_dispute_and_a_partial_answer(cast):
    camp = log(cast, cast.sam, amount="300.00", description="Summer camp")
    shoes = log(cast, cast.sam, amount="80.00", description="Shoes")
    first = ask(cast, camp, cast.sam)
    second = ask(cast, shoes, cast.sam)
    alex = cast.access(cast.alex)
    with pytest.raises(services.ExpenseProblem) as caught:
        services.reimbursement_answer(access=alex, request=second, decision="dispute")
    assert caught.value.field == "reason"
    services.reimbursement_answer(
        access=alex, request=second, decision="dispute", reason="He already has two pairs"
    )
    services.reimbursement_answer(access=alex, request=first, decision="part", amount="100")
    assert selectors.balance_of(alex).sentences() == ["Alex owes Sam 100.00 EUR"]
    with pytest.raises(services.AlreadyDone):
        services.reimbursement_answer(access=alex, request=first, decision="accept")
    # What was disputed may be asked again (after a talk), what was accepted not.
    again = ask(cast, shoes, cast.sam, amount="20")
    assert again.amount == Decimal("20.000")
    with pytest.raises(services.ExpenseProblem) as caught:
        ask(cast, camp, cast.sam, amount="51")
    assert caught.value.field == "amount"


def test_only_the_right_parent_asks_answers_and_confirms(cast):
    bill = log(cast)
    with pytest.raises(services.ExpenseProblem):
        ask(cast, bill, cast.sam)
    request = ask(cast, bill)
    with pytest.raises(services.ExpenseProblem):
        services.reimbursement_answer(
            access=cast.access(cast.alex), request=request, decision="accept"
        )
    for outsider in (cast.morgan, cast.vic):
        with pytest.raises(PermissionDenied):
            services.reimbursement_answer(
                access=cast.access(outsider), request=request, decision="accept"
            )
    payment = pay(cast, amount="10.00", confirm_overpayment=True)
    with pytest.raises(services.ExpenseProblem):
        services.payment_confirm(access=cast.access(cast.sam), payment=payment)


def test_a_viewer_sees_no_money(cast):
    log(cast)
    with pytest.raises(PermissionDenied):
        selectors.balance_of(cast.access(cast.vic))
    with pytest.raises(PermissionDenied):
        selectors.expense_rows(cast.access(cast.vic))


def test_a_correction_is_a_new_linked_entry_and_the_first_stays(cast):
    bill = log(cast)
    request = ask(cast, bill)
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    fixed = log(cast, amount="80.00", corrects=bill, correction_reason="Insurance paid 40")
    assert fixed.corrects == bill and fixed.chain_id == bill.pk
    assert selectors.balance_of(cast.access(cast.sam)).sentences() == ["Sam owes Alex 40.00 EUR"]
    with pytest.raises(services.AlreadyDone):
        log(cast, amount="70.00", corrects=bill, correction_reason="again")
    log(cast, corrects=fixed, void=True, correction_reason="Logged twice")
    assert selectors.balance_of(cast.access(cast.sam)).sentences() == ["Nobody owes anything."]
    assert [row.expense.pk for row in selectors.expense_rows(cast.access(cast.alex))] == []
    assert Expense.objects.count() == 3
    assert RecordEntry.objects.filter(kind=Kind.EXPENSE_CORRECTED).count() == 2


def test_a_payment_above_what_is_owed_needs_a_confirmation(cast):
    bill = log(cast)
    request = ask(cast, bill)
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    with pytest.raises(services.Overpayment) as caught:
        pay(cast, amount="60.01")
    assert caught.value.field == "confirm_overpayment"
    assert "60.00 EUR" in caught.value.message
    assert not Payment.objects.exists()
    pay(cast, amount="60.00")
    # A second payment while the first waits for Alex's confirmation would pay twice.
    with pytest.raises(services.Overpayment):
        pay(cast, amount="1.00")
    made = pay(cast, amount="1.00", confirm_overpayment=True)
    assert made.overpayment


def test_a_payment_the_receiver_records_counts_at_once(cast):
    bill = log(cast)
    request = ask(cast, bill)
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    pay(cast, cast.alex, amount="60.00", direction="received", method="cash")
    assert selectors.balance_of(cast.access(cast.sam)).sentences() == ["Nobody owes anything."]


BAD = [
    ({"amount": "-5"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "12.345"}, "amount"),
    ({"currency": "ZZZ"}, "currency"),
    ({"percent_a": "101", "split_reason": "x"}, "percent_a"),
    ({"percent_a": "-1", "split_reason": "x"}, "percent_a"),
    ({"children": []}, "children"),
    ({"description": "  "}, "description"),
    ({"category": "holiday"}, "category"),
    ({"spent_on": yesterday().replace(year=yesterday().year + 1)}, "spent_on"),
]


@pytest.mark.parametrize(("bad", "field"), BAD)
def test_bad_input_is_named_and_nothing_is_stored(cast, bad, field):
    with pytest.raises(services.ExpenseProblem) as caught:
        log(cast, **bad)
    assert field in dict(caught.value.problems)
    assert not Expense.objects.exists()
    assert not RecordEntry.objects.filter(kind__startswith="expense.").exists()


def test_a_forged_receipt_is_refused_and_nothing_is_stored(cast, settings):
    with pytest.raises(services.ExpenseProblem) as caught:
        log(cast, receipts=[IncomingFile("bill.jpg", b"MZ\x90\x00 not a photo at all")])
    assert caught.value.field == "receipts"
    assert not Expense.objects.exists() and not Receipt.objects.exists()
    assert not any((settings.MEDIA_ROOT).rglob("*.*")) if settings.MEDIA_ROOT.exists() else True


def test_a_receipt_pdf_is_kept(cast):
    bill = log(cast, receipts=[IncomingFile("invoice.pdf", PDF_BYTES)])
    assert bill.receipts.get().content_type == "application/pdf"


def test_bad_payments_are_named(cast):
    with pytest.raises(services.ExpenseProblem) as caught:
        pay(cast, amount="0", direction="sideways", method="gold")
    assert {"amount", "direction", "method"} <= set(dict(caught.value.problems))
    assert not Payment.objects.exists()


def test_the_ledger_refuses_updates_and_deletes(cast):
    bill = log(cast)
    request = ask(cast, bill)
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    payment = pay(cast, amount="10.00")
    services.payment_confirm(access=cast.access(cast.alex), payment=payment)
    for model in (Expense, ReimbursementRequest, Answer, Payment, PaymentConfirmation):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            model.objects.all().update(at=bill.at)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            model.objects.all().delete()


def test_totals_by_category_child_and_year(cast):
    log(cast, amount="100.00", children=[cast.mia.pk, cast.leo.pk], category="school")
    log(cast, cast.sam, amount="30.00")
    got = selectors.totals(cast.access(cast.alex))
    assert got.by_category == {"School": {"EUR": eur("100.00")}, "Medical": {"EUR": eur("30.00")}}
    assert got.by_child["Mia"] == {"EUR": eur("130.00")}
    assert got.by_child["Leo"] == {"EUR": eur("100.00")}
    assert got.by_year == {yesterday().year: {"EUR": eur("130.00")}}
    rows = selectors.expense_rows(cast.access(cast.alex), child=cast.leo.pk)
    assert [r.expense.amount for r in rows] == [Decimal("100.000")]


def test_the_family_currency_follows_its_zone(cast):
    assert selectors.family_currency(cast.family) in ("EUR", "USD")


def test_a_monthly_fee_is_logged_each_month_once_until_stopped(cast):
    from datetime import UTC, date, datetime

    from coparent.expenses.models import Recurrence

    fee = log(
        cast,
        amount="38.00",
        category="activities",
        description="Swimming club, monthly fee",
        spent_on=date(2026, 1, 31),
        repeat_monthly=True,
        at=datetime(2026, 1, 31, 18, tzinfo=UTC),
    )
    recurrence = Recurrence.objects.get(expense=fee)
    assert recurrence.day_of_month == 28  # every month has it
    april = datetime(2026, 4, 10, 9, tzinfo=UTC)
    assert services.run_recurring(now=april) == 2  # February and March; April's day not yet
    assert services.run_recurring(now=april) == 0  # a second run logs nothing twice
    logged = Expense.objects.exclude(pk=fee.pk).order_by("spent_on")
    assert [e.spent_on for e in logged] == [date(2026, 2, 28), date(2026, 3, 28)]
    assert all(e.money == eur("38.00") and e.paid_by == cast.alex for e in logged)
    assert (
        RecordEntry.objects.filter(
            kind=Kind.EXPENSE_ADDED, data__recurring=str(recurrence.pk)
        ).count()
        == 2
    )

    services.recurrence_stop(access=cast.access(cast.sam), recurrence=recurrence)
    assert services.run_recurring(now=datetime(2026, 7, 1, tzinfo=UTC)) == 0
    with pytest.raises(services.AlreadyDone):
        services.recurrence_stop(access=cast.access(cast.alex), recurrence=recurrence)


def test_a_correction_written_in_the_same_instant_still_follows_what_it_corrects(cast):
    from datetime import UTC, datetime

    at = datetime(2026, 3, 2, 10, tzinfo=UTC)
    bill = log(cast, spent_on=yesterday().replace(year=2026, month=3, day=1), at=at)
    for n in range(5):
        bill = log(
            cast,
            amount=f"{100 + n}.00",
            spent_on=bill.spent_on,
            corrects=bill,
            correction_reason="Typo",
            at=at,
        )
    rows = selectors.expense_rows(cast.access(cast.alex))
    assert [r.expense.money for r in rows] == [eur("104.00")]
    assert selectors.balance_of(cast.access(cast.alex)).sentences() == ["Nobody owes anything."]

"""Putting a mistake right without changing anything written: Alex corrects a bill he logged
(insurance paid part) or withdraws one he logged twice; Sam corrects a payment he recorded with
the wrong amount, and Alex confirms the corrected one before it counts; a payment record made
by mistake is withdrawn. Each is a new entry linked to the one it replaces, on the pages and
in the API; the first stays, and the balance is always the sum of its lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coparent.expenses import selectors, services
from coparent.expenses.models import Expense, Payment
from coparent.records.models import Kind, RecordEntry
from coparent.records.summaries import summarize
from tests.expenses.conftest import ask, log, pay, yesterday

pytestmark = pytest.mark.django_db


def _url(cast, rest=""):
    return f"/families/{cast.family.pk}/expenses/{rest}"


def _accepted(cast, amount="120.00"):
    """Alex's bill, half asked of Sam, and Sam's yes: Sam owes Alex half of `amount`."""
    bill = log(cast, amount=amount)
    services.reimbursement_answer(
        access=cast.access(cast.sam), request=ask(cast, bill), decision="accept"
    )
    return bill


def _says(cast, who=None):
    return selectors.balance_of(cast.access(who or cast.alex)).sentences()


def _sums(cast):
    """The balance and the sum of its lines, per currency: they must be the same."""
    view = selectors.balance_of(cast.access(cast.alex))
    total = sum((line.effect.amount for line in view.lines), Decimal(0))
    owed = sum((m.amount for m in view.result.owed.values()), Decimal(0))
    return owed, total


# --- an expense, on its pages ----------------------------------------------------------------


def test_alex_corrects_his_bill_on_its_page_and_the_first_version_stays(cast):
    bill = _accepted(cast)
    alex = cast.client_for(cast.alex)
    detail = alex.get(_url(cast, f"{bill.pk}/")).content.decode()
    assert "Correct or withdraw this expense" in detail
    form = alex.get(_url(cast, f"{bill.pk}/correct/")).content.decode()
    assert 'value="120.00"' in form and "Paediatrician, ear infection" in form
    body = {
        "spent_on": yesterday().isoformat(),
        "amount": "80.00",
        "currency": "EUR",
        "category": "medical",
        "children": [str(cast.mia.pk)],
        "description": "Paediatrician, ear infection",
    }
    refused = alex.post(_url(cast, f"{bill.pk}/correct/"), body)
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    made = alex.post(
        _url(cast, f"{bill.pk}/correct/"),
        {**body, "correction_reason": "The insurance paid 40"},
        follow=True,
    )
    page = made.content.decode()
    assert "Corrected." in page and "80.00 EUR" in page and "The insurance paid 40" in page
    fixed = Expense.objects.get(corrects=bill)
    assert fixed.chain_id == bill.pk
    assert _says(cast, cast.sam) == ["Sam owes Alex 40.00 EUR"]
    first = alex.get(_url(cast, f"{bill.pk}/")).content.decode()
    assert "This expense was corrected since." in first
    assert "Correct or withdraw this expense" not in first
    # The first version cannot be corrected again: its latest version is the one to correct.
    again = alex.get(_url(cast, f"{bill.pk}/correct/"), follow=True).content.decode()
    assert "correct its latest version" in again


def test_alex_withdraws_a_bill_he_logged_twice_and_it_stops_counting(cast):
    bill = _accepted(cast)
    alex = cast.client_for(cast.alex)
    refused = alex.post(_url(cast, f"{bill.pk}/withdraw/"), {"correction_reason": ""})
    assert refused.status_code == 400 and not Expense.objects.filter(void=True).exists()
    done = alex.post(
        _url(cast, f"{bill.pk}/withdraw/"), {"correction_reason": "Logged twice"}, follow=True
    )
    assert "Withdrawn." in done.content.decode()
    assert _says(cast) == ["Nobody owes anything."]
    assert selectors.expense_rows(cast.access(cast.alex)) == []
    assert Expense.objects.count() == 2
    withdrawal = Expense.objects.get(void=True)
    shown = alex.get(_url(cast, f"{withdrawal.pk}/")).content.decode()
    assert "This entry withdraws the expense: Logged twice" in shown
    assert "This expense was withdrawn." in alex.get(_url(cast, f"{bill.pk}/")).content.decode()
    entry = RecordEntry.objects.filter(kind=Kind.EXPENSE_CORRECTED).get()
    assert summarize(entry.kind, entry.data) == (
        "Alex withdrew the expense “Paediatrician, ear infection”: Logged twice"
    )


def test_only_the_parent_who_logged_it_sees_the_correction_forms(cast):
    bill = log(cast)
    sam = cast.client_for(cast.sam)
    assert "Correct or withdraw" not in sam.get(_url(cast, f"{bill.pk}/")).content.decode()
    sent_back = sam.get(_url(cast, f"{bill.pk}/correct/"), follow=True).content.decode()
    assert "Only the parent who logged an expense corrects it." in sent_back
    sam.post(_url(cast, f"{bill.pk}/withdraw/"), {"correction_reason": "Not mine to say"})
    assert Expense.objects.count() == 1


def test_a_withdrawn_monthly_fee_stops_repeating(cast):
    from datetime import timedelta

    from django.utils import timezone

    fee = log(cast, description="Swimming club", category="activities", repeat_monthly=True)
    services.expense_withdraw(access=cast.access(cast.alex), expense=fee, reason="Left the club")
    assert services.run_recurring(now=timezone.now() + timedelta(days=70)) == 0


# --- a payment -------------------------------------------------------------------------------


def test_sam_corrects_the_amount_he_paid_and_alex_confirms_it_again(cast):
    _accepted(cast)
    wrong = pay(cast, amount="50.00")
    services.payment_confirm(access=cast.access(cast.alex), payment=wrong)
    assert _says(cast) == ["Sam owes Alex 10.00 EUR"]
    fixed = services.payment_correct(
        access=cast.access(cast.sam),
        payment=wrong,
        amount="45.00",
        correction_reason="The bank took 5 in fees; 45 arrived",
    )
    assert (fixed.corrects, fixed.paid_by, fixed.paid_to) == (wrong, cast.sam, cast.alex)
    # The corrected record is Sam's word until Alex confirms it: nothing of it counts yet.
    assert _says(cast) == ["Sam owes Alex 60.00 EUR"]
    with pytest.raises(services.AlreadyDone):
        services.payment_confirm(access=cast.access(cast.alex), payment=wrong)
    services.payment_confirm(access=cast.access(cast.alex), payment=fixed)
    assert _says(cast) == ["Sam owes Alex 15.00 EUR"]
    owed, lines = _sums(cast)
    assert owed == lines == Decimal("15.00")
    with pytest.raises(services.AlreadyDone):
        services.payment_correct(
            access=cast.access(cast.sam), payment=wrong, amount="1.00", correction_reason="x"
        )


def test_a_payment_the_receiver_corrects_counts_at_once_and_a_withdrawal_counts_nothing(cast):
    _accepted(cast)
    got = pay(cast, cast.alex, amount="60.00", direction="received", method="cash")
    fixed = services.payment_correct(
        access=cast.access(cast.alex),
        payment=got,
        amount="40.00",
        correction_reason="Counted the envelope again",
    )
    assert _says(cast) == ["Sam owes Alex 20.00 EUR"]
    services.payment_correct(
        access=cast.access(cast.alex),
        payment=fixed,
        void=True,
        correction_reason="That was the school's money",
    )
    assert _says(cast) == ["Sam owes Alex 60.00 EUR"]
    with pytest.raises(services.AlreadyDone):
        services.payment_confirm(access=cast.access(cast.alex), payment=fixed)
    kinds = RecordEntry.objects.filter(kind=Kind.PAYMENT_RECORDED).order_by("seq")
    assert [summarize(e.kind, e.data) for e in kinds][1:] == [
        "Alex recorded a payment of 40.00 EUR from Sam to Alex on "
        f"{yesterday().isoformat()} (correcting an earlier record: Counted the envelope again)",
        "Alex withdrew a payment record: That was the school's money",
    ]


def test_only_the_parent_who_recorded_a_payment_corrects_it(cast):
    paid = pay(cast, amount="5.00", confirm_overpayment=True)
    with pytest.raises(services.ExpenseProblem):
        services.payment_correct(
            access=cast.access(cast.alex), payment=paid, void=True, correction_reason="Never came"
        )
    with pytest.raises(services.ExpenseProblem) as caught:
        services.payment_correct(access=cast.access(cast.sam), payment=paid, correction_reason="")
    assert "correction_reason" in dict(caught.value.problems)
    assert Payment.objects.count() == 1


def test_a_corrected_payment_above_what_is_owed_needs_the_box(cast):
    _accepted(cast)
    paid = pay(cast, amount="60.00")
    with pytest.raises(services.Overpayment):
        services.payment_correct(
            access=cast.access(cast.sam), payment=paid, amount="61.00", correction_reason="typo"
        )
    made = services.payment_correct(
        access=cast.access(cast.sam),
        payment=paid,
        amount="61.00",
        correction_reason="typo",
        confirm_overpayment=True,
    )
    assert made.overpayment


def test_sam_corrects_and_withdraws_payments_on_the_payments_page(cast):
    _accepted(cast)
    wrong = pay(cast, amount="50.00")
    sam, alex = cast.client_for(cast.sam), cast.client_for(cast.alex)
    listed = sam.get(_url(cast, "payments/")).content.decode()
    assert "Correct or withdraw this record" in listed
    assert (
        "Correct or withdraw this record" not in alex.get(_url(cast, "payments/")).content.decode()
    )
    form = sam.get(_url(cast, f"payments/{wrong.pk}/correct/")).content.decode()
    assert 'value="50.00"' in form and "once the other parent confirms it again" in form
    body = {
        "amount": "45.00",
        "currency": "EUR",
        "paid_on": yesterday().isoformat(),
        "method": "transfer",
        "correction_reason": "45 arrived, not 50",
    }
    done = sam.post(_url(cast, f"payments/{wrong.pk}/correct/"), body, follow=True)
    page = done.content.decode()
    assert "Corrected." in page and "Replaced by a correction" in page
    fixed = Payment.objects.get(corrects=wrong)
    confirmed = alex.post(_url(cast, f"payments/{fixed.pk}/confirm/"), follow=True)
    assert "Confirmed." in confirmed.content.decode()
    assert _says(cast) == ["Sam owes Alex 15.00 EUR"]
    # The replaced record is not Sam's to correct again.
    again = sam.get(_url(cast, f"payments/{wrong.pk}/correct/"), follow=True).content.decode()
    assert "correct its latest version" in again
    gone = sam.post(
        _url(cast, f"payments/{fixed.pk}/withdraw/"),
        {"correction_reason": "Recorded on the wrong family"},
        follow=True,
    )
    assert "Withdrawn." in gone.content.decode()
    assert _says(cast) == ["Sam owes Alex 60.00 EUR"]
    assert Payment.objects.count() == 3


def test_an_overpaying_correction_on_the_page_asks_for_the_box(cast):
    _accepted(cast)
    paid = pay(cast, amount="60.00")
    sam = cast.client_for(cast.sam)
    body = {
        "amount": "70.00",
        "currency": "EUR",
        "paid_on": yesterday().isoformat(),
        "method": "transfer",
        "correction_reason": "It was 70",
    }
    refused = sam.post(_url(cast, f"payments/{paid.pk}/correct/"), body)
    assert refused.status_code == 400 and "more than Sam owes" in refused.content.decode()
    ok = sam.post(_url(cast, f"payments/{paid.pk}/correct/"), {**body, "confirm_overpayment": "on"})
    assert ok.status_code == 302


def test_a_payment_correction_through_the_api(cast, as_):
    _accepted(cast)
    wrong = pay(cast, amount="50.00")
    sam, alex = as_(cast.sam), as_(cast.alex)
    path = f"/families/{cast.family.pk}/payments/{wrong.pk}/corrections"
    missing = sam.post(path, {"amount": "45.00"})
    assert missing.status_code == 422
    made = sam.post(path, {"amount": "45.00", "correction_reason": "45 arrived"})
    assert made.status_code == 201, made.content
    out = made.json()
    assert (out["amount"], out["corrects"], out["confirmed"], out["void"]) == (
        "45.00",
        str(wrong.pk),
        False,
        False,
    )
    assert sam.post(path, {"void": True, "correction_reason": "again"}).status_code == 409
    assert alex.post(path, {"void": True, "correction_reason": "Never came"}).status_code == 400
    bad = sam.post(
        f"/families/{cast.family.pk}/payments/{out['id']}/corrections",
        {"amount": "4.5.0", "correction_reason": "typo"},
    )
    assert bad.status_code == 400 and "amount" in bad.json()["errors"]
    listed = alex.get(f"/families/{cast.family.pk}/payments").json()
    assert {p["id"] for p in listed} == {str(wrong.pk), out["id"]}


def test_correction_pages_read_in_a_fixed_number_of_queries(cast, django_assert_num_queries):
    bill = _accepted(cast)
    paid = pay(cast, amount="10.00")
    alex, sam = cast.client_for(cast.alex), cast.client_for(cast.sam)
    alex.get(_url(cast))  # session and zone warm-up
    sam.get(_url(cast))
    # 1 session, 2 user, 3 the user's session row, 4 membership with family (the access path);
    # 5 the expense with its payer (read once), 6 its children, 7 its receipts, 8 its latest
    # version, 9 the family's children for the form; 10 the header's unread notifications.
    with django_assert_num_queries(10):
        assert alex.get(_url(cast, f"{bill.pk}/correct/")).status_code == 200
    # 1-4 as above; 5 the payment with its people, 6 whether a later record corrects it;
    # 7 the header's unread notifications.
    with django_assert_num_queries(7):
        assert sam.get(_url(cast, f"payments/{paid.pk}/correct/")).status_code == 200

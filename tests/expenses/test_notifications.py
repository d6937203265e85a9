"""Money news through the notification centre: Sam hears Alex asks to be reimbursed, Alex hears
Sam's answer and payment, Sam hears it arrived — never the one who acted, never Morgan or Vic.
A request left unanswered past the agreement's response time is reminded of once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coparent.core.notify import Kind
from coparent.expenses import services
from coparent.expenses.models import ReimbursementReminder
from coparent.notifications.models import Notification
from coparent.records.models import Kind as EntryKind
from coparent.records.models import RecordEntry
from tests.expenses.conftest import ask, log, pay

pytestmark = pytest.mark.django_db


def _titles(user):
    return [
        n.title
        for n in Notification.objects.filter(recipient=user, kind=Kind.EXPENSE).order_by(
            "created_at", "pk"
        )
    ]


def test_each_step_is_news_for_the_other_parent_only(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bill = log(cast)
        request = ask(cast, bill)
        services.reimbursement_answer(
            access=cast.access(cast.sam), request=request, decision="part", amount="40"
        )
        payment = pay(cast, amount="40.00")
        services.payment_confirm(access=cast.access(cast.alex), payment=payment)

    assert _titles(cast.sam) == [
        "Alex asks you to reimburse 60.00 EUR",
        "Alex confirmed receiving 40.00 EUR",
    ]
    assert _titles(cast.alex) == [
        "Sam accepted 40.00 EUR of “Paediatrician, ear infection”",
        "Sam recorded a payment of 40.00 EUR",
    ]
    assert not Notification.objects.filter(recipient__in=[cast.morgan, cast.vic]).exists()


def test_a_request_waiting_past_the_response_time_is_reminded_once(
    cast, django_capture_on_commit_callbacks
):
    bill = log(cast)
    request = ask(cast, bill)
    now = timezone.now()
    # A week by default: not yet after six days, once after eight, never twice.
    assert services.remind_waiting(now=now + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_waiting(now=now + timedelta(days=8)) == 1
    assert services.remind_waiting(now=now + timedelta(days=9)) == 0
    assert ReimbursementReminder.objects.get().request == request
    assert RecordEntry.objects.filter(kind=EntryKind.REIMBURSEMENT_REMINDED).count() == 1
    assert _titles(cast.sam)[-1] == "A reimbursement of 60.00 EUR still waits for your answer"


def test_an_answered_request_is_not_reminded(cast):
    request = ask(cast, log(cast))
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    assert services.remind_waiting(now=timezone.now() + timedelta(days=30)) == 0


def test_the_agreement_response_time_sets_when_to_remind(cast):
    from tests.agreements.conftest import signed

    signed(cast, topic="expenses", terms={"response_hours": 48})
    ask(cast, log(cast))
    now = timezone.now()
    assert services.remind_waiting(now=now + timedelta(hours=47)) == 0
    assert services.remind_waiting(now=now + timedelta(hours=49)) == 1


def test_a_corrected_or_withdrawn_payment_record_is_news_with_its_reason(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paid = pay(cast, amount="40.00", confirm_overpayment=True)
        fixed = services.payment_correct(
            access=cast.access(cast.sam),
            payment=paid,
            amount="35.00",
            correction_reason="35 arrived",
            confirm_overpayment=True,
        )
        services.payment_correct(
            access=cast.access(cast.sam), payment=fixed, void=True, correction_reason="Bounced"
        )
    assert _titles(cast.alex) == [
        "Sam recorded a payment of 40.00 EUR",
        "Sam corrected a payment record to 35.00 EUR",
        "Sam withdrew a payment record of 35.00 EUR",
    ]
    bodies = Notification.objects.filter(recipient=cast.alex).order_by("created_at", "pk")
    assert [n.body for n in bodies][-2:] == ["35 arrived", "Bounced"]
    assert _titles(cast.sam) == []

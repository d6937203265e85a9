"""Sam opens the family's home page: Alex's request to reimburse the doctor's bill waits for
his answer there, and Alex sees the payment Sam says he sent, to confirm. Once answered and
confirmed, or withdrawn, neither waits any more; the mediator and the viewer have nothing to
do with money there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coparent.expenses import services
from coparent.families.today import family_today
from tests.expenses.conftest import ask, log, pay

pytestmark = pytest.mark.django_db


def _waiting(cast, who):
    return [(w.kind, w.text) for w in family_today(cast.access(who)).waiting]


def _money(waiting):
    return [item for item in waiting if item[0] in ("reimbursement", "payment")]


def test_the_request_waits_for_sam_and_the_payment_for_alex(cast):
    bill = log(cast)
    request = ask(cast, bill)
    assert _money(_waiting(cast, cast.sam)) == [
        (
            "reimbursement",
            "Alex asks you to reimburse 60.00 EUR for “Paediatrician, ear infection”.",
        )
    ]
    assert _money(_waiting(cast, cast.alex)) == []
    services.reimbursement_answer(access=cast.access(cast.sam), request=request, decision="accept")
    paid = pay(cast, amount="60.00")
    assert _money(_waiting(cast, cast.sam)) == []
    assert _money(_waiting(cast, cast.alex)) == [
        ("payment", "Sam says they paid you 60.00 EUR: confirm it arrived.")
    ]
    page = cast.client_for(cast.alex).get(
        reverse("families:dashboard", kwargs={"family_id": cast.family.pk})
    )
    assert "confirm it arrived" in page.content.decode()
    services.payment_confirm(access=cast.access(cast.alex), payment=paid)
    assert _money(_waiting(cast, cast.alex)) == []


def test_several_are_counted_and_withdrawn_ones_leave(cast):
    first, second = log(cast), log(cast, description="Dentist")
    ask(cast, first)
    ask(cast, second)
    assert _money(_waiting(cast, cast.sam)) == [
        ("reimbursement", "2 reimbursement requests wait for your answer.")
    ]
    services.expense_withdraw(access=cast.access(cast.alex), expense=second, reason="Twice")
    assert len(_money(_waiting(cast, cast.sam))) == 1
    got = pay(cast, cast.alex, amount="5.00", direction="received", confirm_overpayment=True)
    assert [k for k, _t in _money(_waiting(cast, cast.sam))] == ["reimbursement"]
    sent = pay(cast, amount="5.00", confirm_overpayment=True)
    services.payment_correct(
        access=cast.access(cast.sam), payment=sent, void=True, correction_reason="Not sent yet"
    )
    assert [k for k, _t in _money(_waiting(cast, cast.alex))] == []
    assert got.receiver_recorded


def test_the_mediator_and_the_viewer_wait_for_no_money(cast):
    ask(cast, log(cast))
    pay(cast, amount="5.00", confirm_overpayment=True)
    for who in (cast.morgan, cast.vic):
        assert _money(_waiting(cast, who)) == []

"""Shared expenses through the API, as a script or the app calls it: the whole story, retries
safe with an Idempotency-Key, amounts as strings (never floats), field errors with nothing
stored, and list reads in a fixed number of queries."""

from __future__ import annotations

import pytest

from coparent.expenses.models import Expense, Payment, ReimbursementRequest
from coparent.records.models import RecordEntry
from tests.expenses.conftest import ask, log, yesterday
from tests.kit import AUTH_QUERIES
from tests.messaging.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def _path(cast, rest=""):
    return f"/families/{cast.family.pk}{rest}"


def _bill(cast, **extra):
    return {
        "spent_on": yesterday().isoformat(),
        "amount": "120.00",
        "currency": "EUR",
        "category": "medical",
        "description": "Paediatrician",
        "children": [str(cast.mia.pk)],
        **extra,
    }


def _post(caller, path, body, key):
    return caller.client.post(
        "/api/v1" + path,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {caller.token}", "Idempotency-Key": key},
        secure=True,
    )


def test_alex_asks_sam_accepts_part_pays_and_both_see_the_balance(cast, as_):
    alex, sam = as_(cast.alex), as_(cast.sam)
    made = alex.post(_path(cast, "/expenses"), _bill(cast))
    assert made.status_code == 201, made.content
    expense = made.json()
    assert (expense["amount"], expense["percent_a"]) == ("120.00", "50.00")
    asked = alex.post(_path(cast, f"/expenses/{expense['id']}/reimbursements"), {})
    assert asked.json()["amount"] == "60.00" and asked.json()["decision"] is None
    answer = sam.post(
        _path(cast, f"/reimbursements/{asked.json()['id']}/answer"),
        {"decision": "part", "amount": "50.00", "reason": "The parking was not agreed"},
    )
    assert (answer.json()["decision"], answer.json()["accepted"]) == ("part", "50.00")
    paid = sam.post(
        _path(cast, "/payments"),
        {
            "direction": "sent",
            "amount": "30.00",
            "paid_on": yesterday().isoformat(),
            "method": "transfer",
            "reference": "SEPA 0042",
        },
    )
    assert paid.status_code == 201 and paid.json()["confirmed"] is False
    confirmed = alex.post(_path(cast, f"/payments/{paid.json()['id']}/confirm"))
    assert confirmed.json()["confirmed"] is True

    for caller in (alex, sam, as_(cast.morgan)):
        balance = caller.get(_path(cast, "/expenses-balance")).json()
        assert balance["says"] == ["Sam owes Alex 20.00 EUR"]
        assert [(line["kind"], line["amount"]) for line in balance["lines"]] == [
            ("reimbursement", "50.00"),
            ("payment", "-30.00"),
        ]
    assert as_(cast.vic).get(_path(cast, "/expenses-balance")).status_code == 403


def test_a_retry_with_the_same_key_creates_nothing(cast, as_):
    alex, sam = as_(cast.alex), as_(cast.sam)
    first, again = (_post(alex, _path(cast, "/expenses"), _bill(cast), "bill-1") for _ in range(2))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and first.json()["id"] == again.json()["id"]
    assert Expense.objects.count() == 1
    path = _path(cast, f"/expenses/{first.json()['id']}/reimbursements")
    one, two = (_post(alex, path, {"amount": "60.00"}, "ask-1") for _ in range(2))
    assert one.json()["id"] == two.json()["id"] and ReimbursementRequest.objects.count() == 1
    body = {
        "direction": "sent",
        "amount": "10.00",
        "paid_on": yesterday().isoformat(),
        "method": "cash",
        "confirm_overpayment": True,
    }
    one, two = (_post(sam, _path(cast, "/payments"), body, "pay-1") for _ in range(2))
    assert one.json()["id"] == two.json()["id"] and Payment.objects.count() == 1
    other = _post(sam, _path(cast, "/payments"), {**body, "amount": "11.00"}, "pay-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"currency": "ZZZ"}, "currency"),
        ({"percent_a": "120", "split_reason": "Why not"}, "percent_a"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_stored(cast, as_, change, field):
    response = as_(cast.alex).post(_path(cast, "/expenses"), _bill(cast, **change))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Expense.objects.exists()
    assert not RecordEntry.objects.filter(kind__startswith="expense.").exists()


def test_an_amount_as_a_json_number_is_refused(cast, as_):
    response = as_(cast.alex).post(_path(cast, "/expenses"), _bill(cast, amount=120.1))
    assert response.status_code == 422 and not Expense.objects.exists()


def test_an_overpayment_needs_the_confirmation_flag(cast, as_):
    sam = as_(cast.sam)
    body = {
        "direction": "sent",
        "amount": "10.00",
        "paid_on": yesterday().isoformat(),
        "method": "cash",
    }
    refused = sam.post(_path(cast, "/payments"), body)
    assert refused.status_code == 400
    assert "more than Sam owes" in refused.json()["errors"]["confirm_overpayment"][0]
    assert not Payment.objects.exists()
    made = sam.post(_path(cast, "/payments"), {**body, "confirm_overpayment": True})
    assert made.status_code == 201 and made.json()["overpayment"] is True


def test_a_receipt_uploads_and_a_forged_one_is_refused(cast, as_):
    alex = as_(cast.alex)
    url = "/api/v1" + _path(cast, "/expenses/upload")
    headers = {"Authorization": f"Bearer {alex.token}"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {k: v for k, v in _bill(cast).items()}
    made = alex.client.post(
        url,
        {**fields, "files": SimpleUploadedFile("bill.pdf", PDF_BYTES)},
        headers=headers,
        secure=True,
    )
    assert made.status_code == 201, made.content
    assert made.json()["receipts"][0]["content_type"] == "application/pdf"
    forged = alex.client.post(
        url,
        {**fields, "files": SimpleUploadedFile("bill.jpg", b"MZ\x90\x00 not a photo")},
        headers=headers,
        secure=True,
    )
    # The house rule for files: 422, the message under `files`, the part it came in.
    assert forged.status_code == 422 and "files" in forged.json()["errors"]
    assert Expense.objects.count() == 1


def test_another_familys_expense_is_not_found(cast, as_):
    bill = log(cast)
    response = as_(cast.olivia).get(f"/families/{cast.other_family.pk}/expenses/{bill.pk}")
    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 6])
def test_lists_run_a_fixed_number_of_queries(cast, as_, django_assert_num_queries, n):
    for _ in range(n):
        bill = log(cast)
        ask(cast, bill)
    sam = as_(cast.sam)
    sam.get(_path(cast, "/expenses"))  # the token's "last used" update happens here
    # auth; 1 membership; 2 the expenses with their payers; 3 their children; 4 receipts.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        assert len(sam.get(_path(cast, "/expenses")).json()) == n
    # auth; 1 membership; 2 the letters; 3 expenses; 4 requests with answers; 5 payments;
    # 6 confirmations; 7 the parents' names.
    with django_assert_num_queries(AUTH_QUERIES + 7):
        assert sam.get(_path(cast, "/expenses-balance")).status_code == 200
    # auth; 1 membership; 2 payments with people; 3 confirmations.
    with django_assert_num_queries(AUTH_QUERIES + 3):
        sam.get(_path(cast, "/payments"))


@pytest.mark.parametrize("n", [1, 5])
def test_one_expense_and_its_requests_cost_the_same_however_many(
    cast, as_, django_assert_num_queries, n
):
    # A bill with `n` receipts, for both children; Alex asks `n` times for part of Sam's share
    # and Sam accepts each.
    from coparent.expenses import services
    from coparent.messaging.attachments import IncomingFile

    bill = log(
        cast,
        children=[cast.mia.pk, cast.leo.pk],
        receipts=[IncomingFile(f"bill-{i}.pdf", PDF_BYTES) for i in range(n)],
    )
    for _ in range(n):
        asked = ask(cast, bill, amount="5.00")
        services.reimbursement_answer(
            access=cast.access(cast.sam), request=asked, decision="accept"
        )
    sam = as_(cast.sam)
    sam.get("/me")  # the token's "last used" update happens here
    # auth; 1 membership; 2 the expense (in the family) with its payer and split, read once
    # (expense_with_details); 3 its children; 4 its receipts.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        one = sam.get(_path(cast, f"/expenses/{bill.pk}"))
    assert len(one.json()["receipts"]) == n
    # auth; 1 membership; 2 the expense; 3 its requests with their answers.
    with django_assert_num_queries(AUTH_QUERIES + 3):
        asks = sam.get(_path(cast, f"/expenses/{bill.pk}/reimbursements"))
    assert len(asks.json()) == n


@pytest.mark.parametrize("n", [1, 6])
def test_the_totals_cost_the_same_however_many_expenses(cast, as_, django_assert_num_queries, n):
    for i in range(n):
        log(cast, children=[cast.mia.pk, cast.leo.pk] if i % 2 else [cast.mia.pk])
    sam = as_(cast.sam)
    sam.get("/me")
    # auth; 1 membership; 2 the expenses; 3 their children; 4 their receipts (the rows the list
    # reads too).
    with django_assert_num_queries(AUTH_QUERIES + 4):
        answer = sam.get(_path(cast, "/expenses-totals"))
    assert answer.status_code == 200

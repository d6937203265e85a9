"""The doctor's bill on the pages: Alex logs it with a receipt photo and asks for half; Sam
accepts part and records a payment; Alex confirms it; both see the same balance, and the
statement says it as a CSV too. Pages read in a bounded number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coparent.expenses.models import Expense, Payment, ReimbursementRequest
from tests.expenses.conftest import ask, log, pay, yesterday
from tests.messaging.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _url(cast, rest=""):
    return f"/families/{cast.family.pk}/expenses/{rest}"


def test_alex_logs_a_bill_with_a_photo_sam_accepts_part_and_pays(cast):
    alex, sam = cast.client_for(cast.alex), cast.client_for(cast.sam)
    form = alex.get(_url(cast, "new/")).content.decode()
    assert 'enctype="multipart/form-data"' in form and "Receipt" in form
    made = alex.post(
        _url(cast, "new/"),
        {
            "spent_on": yesterday().isoformat(),
            "amount": "84.50",
            "currency": "EUR",
            "category": "medical",
            "children": [str(cast.mia.pk)],
            "description": "Paediatrician, ear infection",
            "receipts": SimpleUploadedFile("IMG_2041.JPG", jpeg_with_gps(), "image/jpeg"),
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    bill = Expense.objects.get()
    assert bill.receipts.get().content_type == "image/jpeg"
    asked = alex.post(_url(cast, f"{bill.pk}/ask/"), {"amount": ""}, follow=True)
    assert "Asked." in asked.content.decode()

    request = ReimbursementRequest.objects.get()
    page = sam.get(_url(cast, f"{bill.pk}/")).content.decode()
    assert "Accept part" in page and "IMG_2041.jpg" in page and "42.25 EUR" in page
    refused = sam.post(_url(cast, f"requests/{request.pk}/answer/"), {"decision": "dispute"})
    assert refused.status_code == 400 and "Say why you dispute it." in refused.content.decode()
    sam.post(_url(cast, f"requests/{request.pk}/answer/"), {"decision": "part", "amount": "40"})
    paid = sam.post(
        _url(cast, "payments/"),
        {
            "direction": "sent",
            "amount": "25.00",
            "currency": "EUR",
            "paid_on": yesterday().isoformat(),
            "method": "transfer",
            "reference": "SEPA",
        },
    )
    assert paid.status_code == 302
    alex.post(_url(cast, f"payments/{Payment.objects.get().pk}/confirm/"))

    for client in (alex, sam, cast.client_for(cast.morgan)):
        balance = client.get(_url(cast, "balance/")).content.decode()
        assert "Sam owes Alex 15.00 EUR" in balance
        assert "40.00 EUR" in balance and "-25.00 EUR" in balance
    assert cast.client_for(cast.vic).get(_url(cast, "balance/")).status_code == 403


def test_an_overpayment_on_the_page_asks_for_the_box(cast):
    sam = cast.client_for(cast.sam)
    body = {
        "direction": "sent",
        "amount": "10.00",
        "currency": "EUR",
        "paid_on": yesterday().isoformat(),
        "method": "cash",
    }
    refused = sam.post(_url(cast, "payments/"), body)
    assert refused.status_code == 400
    assert "more than Sam owes" in refused.content.decode()
    assert not Payment.objects.exists()
    assert (
        sam.post(_url(cast, "payments/"), {**body, "confirm_overpayment": "on"}).status_code == 302
    )


def test_bad_input_on_the_form_is_shown_beside_its_field(cast):
    alex = cast.client_for(cast.alex)
    page = alex.post(
        _url(cast, "new/"),
        {
            "spent_on": yesterday().isoformat(),
            "amount": "12.345",
            "currency": "EUR",
            "category": "medical",
            "children": [str(cast.mia.pk)],
            "description": "Plasters",
        },
    )
    assert page.status_code == 400
    assert "EUR has 2 decimal places" in page.content.decode()
    assert not Expense.objects.exists()


def test_the_statement_as_csv_never_runs_a_formula(cast):
    log(cast, description="=HYPERLINK(evil)")
    month = yesterday().isoformat()[:7]
    response = cast.client_for(cast.alex).get(_url(cast, f"statement.csv?month={month}"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2].startswith("Medical: =HYPERLINK") or rows[1][2].startswith("'")
    assert rows[1][4:] == ["120.00", "EUR", "60.00", "60.00"]


@pytest.mark.parametrize("n", [1, 6])
def test_pages_read_in_a_bounded_number_of_queries(cast, django_assert_max_num_queries, n):
    for _ in range(n):
        bill = log(cast)
        request = ask(cast, bill)
        from coparent.expenses import services

        services.reimbursement_answer(
            access=cast.access(cast.sam), request=request, decision="accept"
        )
        pay(cast, amount="1.00")
    alex = cast.client_for(cast.alex)
    alex.get(_url(cast))  # session and zone warm-up
    for page in ("", "balance/", "payments/", "statement/", f"{bill.pk}/"):
        with django_assert_max_num_queries(22):
            assert alex.get(_url(cast, page)).status_code == 200


def test_the_statement_as_pdf(cast):
    log(cast)
    month = yesterday().isoformat()[:7]
    response = cast.client_for(cast.morgan).get(_url(cast, f"statement.pdf?month={month}"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_year_per_child_for_tax_time(cast, django_assert_max_num_queries):
    log(cast, amount="100.00", children=[cast.mia.pk, cast.leo.pk], category="school")
    log(cast, cast.sam, amount="30.00")
    year = yesterday().year
    alex = cast.client_for(cast.alex)
    alex.get(_url(cast, f"year/?year={year}"))
    with django_assert_max_num_queries(16):
        page = alex.get(_url(cast, f"year/?year={year}")).content.decode()
    assert "<svg" in page and "130.00 EUR" in page and "100.00 EUR" in page
    assert cast.client_for(cast.vic).get(_url(cast, "year/")).status_code == 403


def test_a_monthly_fee_set_on_the_form_and_stopped_on_its_page(cast):
    from coparent.expenses.models import Recurrence

    alex = cast.client_for(cast.alex)
    made = alex.post(
        _url(cast, "new/"),
        {
            "spent_on": yesterday().isoformat(),
            "amount": "38.00",
            "currency": "EUR",
            "category": "activities",
            "children": [str(cast.leo.pk)],
            "description": "Swimming club, monthly fee",
            "repeat_monthly": "on",
        },
    )
    assert made.status_code == 302
    fee = Expense.objects.get()
    page = alex.get(_url(cast, f"{fee.pk}/")).content.decode()
    assert "Repeats each month on day" in page and "Stop repeating" in page
    stopped = cast.client_for(cast.sam).post(_url(cast, f"{fee.pk}/stop-repeating/"), follow=True)
    assert "no longer logged each month" in stopped.content.decode()
    assert Recurrence.objects.get().stopped

"""Tax time: Alex downloads the year per child as a spreadsheet (CSV) and as a PDF for the
accountant. Each child's expenses, then their totals by category; an expense for both children
counts in full for each; the year is the family's, in its own zone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from coparent.families.services import family_zone_set
from tests.expenses.conftest import log, yesterday

pytestmark = pytest.mark.django_db


def _url(cast, rest=""):
    return f"/families/{cast.family.pk}/expenses/{rest}"


def _year_of_bills(cast):
    log(cast, amount="100.00", children=[cast.mia.pk, cast.leo.pk], category="school")
    log(cast, cast.sam, amount="30.00", description="=cmd|' /C calc'!A0")
    log(cast, amount="9.00", currency="USD", description="Airport snack")
    return yesterday().year


def test_alex_downloads_the_year_per_child_as_a_spreadsheet(cast):
    year = _year_of_bills(cast)
    response = cast.client_for(cast.alex).get(_url(cast, f"year.csv?year={year}"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="expenses-{year}-per-child.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["child", "date", "category", "what", "paid by", "amount", "currency"]
    mia = [row for row in rows[1:] if row[0] == "Mia"]
    leo = [row for row in rows[1:] if row[0] == "Leo"]
    # Mia: the school trip (for both) and Sam's bill, then her totals; Leo: the trip only.
    assert [row[5] for row in mia] == ["100.00", "30.00", "100.00", "30.00", "130.00"]
    assert [row[2:4] for row in mia[2:]] == [
        ["School", "total"],
        ["Medical", "total"],
        ["all", "total"],
    ]
    assert [row[5] for row in leo] == ["100.00", "100.00", "100.00"]
    # A description a spreadsheet would run as a formula is quoted; the dollars stay out of a
    # euro total.
    assert mia[1][3].startswith("'=") and all(row[6] == "EUR" for row in rows[1:])


def test_the_year_as_a_pdf_for_the_accountant(cast):
    year = _year_of_bills(cast)
    morgan = cast.client_for(cast.morgan)
    page = morgan.get(_url(cast, f"year/?year={year}")).content.decode()
    assert "Download as CSV" in page and "Download as PDF" in page
    response = morgan.get(_url(cast, f"year.pdf?year={year}"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Expenses per child, {year}" in text
    assert "130.00 EUR" in text and "Paediatrician" in text
    assert "USD" in text  # named as left out of the euro totals
    assert cast.client_for(cast.vic).get(_url(cast, f"year.pdf?year={year}")).status_code == 403


def test_the_year_is_the_familys_in_its_own_zone(cast, time_machine):
    family_zone_set(access=cast.access(cast.alex), timezone_name="Pacific/Auckland")
    # 31 December, 20:00 in London: already 1 January in Auckland, so "this year" is the new one.
    time_machine.move_to(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), tick=False)
    log(
        cast,
        amount="12.00",
        currency="NZD",  # the currency of the family's zone, which the summary is in
        spent_on=date(2027, 1, 1),
        description="New year's plasters",
    )
    response = cast.client_for(cast.alex).get(_url(cast, "year.csv"))
    assert response["Content-Disposition"].endswith('"expenses-2027-per-child.csv"')
    assert "New year's plasters" in response.content.decode()

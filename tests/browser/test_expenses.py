"""The doctor's bill in real browsers: on his phone, Alex logs Mia's paediatrician bill with a
photo of the receipt and asks Sam for half; Sam accepts and records that he paid part of it;
Alex confirms the money arrived. Both see the same balance, and the same lines making it up.
Then Sam corrects the amount he recorded, and Alex, told on the home page, confirms it again."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    no_sideways_scroll,
    submit,
)

pytestmark = pytest.mark.browser


def _receipt_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 1400), (250, 250, 245)).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_alex_asks_half_of_a_doctors_bill_and_sam_pays_part(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    errors = console_errors(page) + console_errors(sam_page)
    add_child(page, dashboard, "Mia", "2016-05-02")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

    # Alex logs the bill with the receipt photo, from his phone.
    page.goto(dashboard + "expenses/")
    follow(page.get_by_role("link", name="Log an expense"))
    assert axe_violations(page) == []
    page.fill("input[name=spent_on]", yesterday)
    page.fill("input[name=amount]", "84.50")
    page.fill("input[name=currency]", "EUR")
    page.select_option("select[name=category]", "medical")
    page.get_by_label("Mia").check()
    page.fill("input[name=description]", "Paediatrician, ear infection")
    page.set_input_files(
        "input[name=receipts]",
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": _receipt_photo()}],
    )
    submit(page, "Log the expense")
    page.wait_for_url(re.compile(r"/expenses/[0-9a-f-]{36}/$"))
    expense_url = page.url
    assert "84.50 EUR" in page.content() and "receipt.jpg" in page.content()
    submit(page, "Ask")
    assert "Alex asked Sam for 42.25 EUR" in page.content()

    # Sam accepts, then records a partial payment.
    sam_page.goto(expense_url)
    assert axe_violations(sam_page) == []
    sam_page.get_by_label("Accept", exact=True).check()
    submit(sam_page, "Answer")
    assert "Accepted. It is in the balance." in sam_page.content()
    sam_page.goto(dashboard + "expenses/payments/")
    sam_page.get_by_label("I paid the other parent").check()
    sam_page.fill("input[name=amount]", "20.00")
    sam_page.fill("input[name=currency]", "EUR")
    sam_page.fill("input[name=paid_on]", yesterday)
    sam_page.fill("input[name=reference]", "Transfer 0042")
    submit(sam_page, "Record the payment")
    assert "The payment is recorded." in sam_page.content()

    # Alex sees the money arrived and confirms it.
    page.goto(dashboard + "expenses/payments/")
    submit(page, "Confirm I received it")

    for who in (page, sam_page):
        who.goto(dashboard + "expenses/balance/")
        text = who.content()
        assert "Sam owes Alex 22.25 EUR" in text
        assert "42.25 EUR" in text and "-20.00 EUR" in text
    page.screenshot(path=screenshots / "expenses-balance-phone.png", full_page=True)
    # On Alex's phone (390 px) the balance and its lines fit the width.
    assert no_sideways_scroll(page)

    # Sam finds he sent 25, not 20: he corrects his record (a new one, linked; the first
    # stays); it waits for Alex on the family's home page until Alex confirms it again.
    sam_page.goto(dashboard + "expenses/payments/")
    follow(sam_page.get_by_role("link", name="Correct or withdraw this record"))
    assert axe_violations(sam_page) == []
    sam_page.fill("input[name=amount]", "25.00")
    sam_page.get_by_label("What the correction is for").fill("It was 25, I misread the app")
    submit(sam_page, "Record the correction")
    assert "Replaced by a correction" in sam_page.content()
    page.goto(dashboard)
    follow(page.get_by_role("link", name=re.compile("Sam says they paid you 25.00 EUR")))
    submit(page, "Confirm I received it")
    for who in (page, sam_page):
        who.goto(dashboard + "expenses/balance/")
        assert "Sam owes Alex 17.25 EUR" in who.content()
    assert not errors, errors

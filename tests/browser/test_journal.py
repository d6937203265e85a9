"""Story 11 in real browsers: Alex writes a journal entry on her phone, corrects it and shares
it with Morgan, the mediator; Morgan reads it under "Shared with you"; Sam, the other parent,
finds no trace of it and gets the 404 of a missing page at its address."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import (
    add_mediator,
    console_errors,
    family_with_two_parents,
    follow,
    submit,
)

pytestmark = pytest.mark.browser


def test_alex_writes_corrects_and_shares_an_entry_and_sam_never_sees_it(
    server, browser, screenshots
):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    morgan, morgan_page = add_mediator(browser, base, data_dir, dashboard, page, sam_page)
    errors = console_errors(page)

    page.goto(dashboard)
    follow(page.get_by_role("link", name="Journal").first)
    follow(page.get_by_role("link", name="New entry"))
    page.fill("textarea[name=text]", "Sam was 40 minutes late at the school gate.")
    page.fill("input[name=tags]", "exchange, late")
    submit(page, "Keep it")
    page.wait_for_url(re.compile(r"/journal/[0-9a-f-]{36}/$"))
    entry_url = page.url
    assert "Kept in your journal" in page.content()

    page.fill("#correct-title ~ form textarea[name=text]", "Sam was 45 minutes late at the gate.")
    submit(page, "Keep the correction")
    content = page.content()
    assert "Correction 2" in content and "40 minutes" in content and "45 minutes" in content

    page.select_option("select[name=professional]", label="Morgan")
    submit(page, "Share this entry")
    assert "You and Morgan." in page.content()
    page.screenshot(path=screenshots / "journal-entry.png", full_page=True)

    morgan_page.goto(dashboard)
    follow(morgan_page.get_by_role("link", name="Shared with you").first)
    assert "45 minutes" in morgan_page.content()
    follow(morgan_page.get_by_role("link", name=re.compile(r"\d")).first)
    assert "40 minutes" in morgan_page.content()  # the earlier version, kept

    sam_page.goto(dashboard + "journal/")
    assert "late" not in sam_page.content() and "Nothing written yet." in sam_page.content()
    answer = sam_page.goto(entry_url)
    assert answer is not None and answer.status == 404
    assert errors == []

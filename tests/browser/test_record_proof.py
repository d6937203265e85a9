"""Issue 16 in real browsers, story 8: Sam keeps a checkpoint of the record; Alex adds Mia,
asks for a PDF of the record and watches its progress bar fill; in court, a clerk with no
account uploads the PDF alone and Sam's checkpoint to the verifier page and reads "Valid":
nothing Sam saw was changed since. axe-core finds nothing serious and nothing scrolls sideways
on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    no_sideways_scroll,
    submit,
)

pytestmark = pytest.mark.browser


def test_a_pdf_of_the_record_verifies_against_the_checkpoint_sam_kept(server, browser, tmp_path):
    base = server["url"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(
        browser, base, server["data_dir"]
    )
    errors = console_errors(page)

    # Sam keeps a checkpoint of the record as it is today.
    sam_page.goto(dashboard + "record/export/")
    with sam_page.expect_download() as got:
        sam_page.get_by_role(
            "link", name="Download a checkpoint of the record as it is now"
        ).click()
    checkpoint = tmp_path / "checkpoint.txt"
    got.value.save_as(checkpoint)
    assert checkpoint.read_text().startswith("coparent-record/1/")

    # Alex adds Mia, then asks for the PDF and watches it being prepared.
    add_child(page, dashboard, "Mia", "2016-05-02")
    page.goto(dashboard + "record/export/")
    page.get_by_label("PDF").check()
    submit(page, "Prepare the export")
    page.wait_for_url("**/record/export/*/")
    expect(page.locator("progress#export-progress")).to_be_visible()
    download = page.locator("#export-download")
    download.wait_for(state="visible", timeout=90_000)
    assert page.locator("progress#export-progress").get_attribute("value") == "100"
    assert no_sideways_scroll(page) and axe_violations(page) == []
    with page.expect_download() as got:
        download.click()
    pdf = tmp_path / "record.pdf"
    got.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    # In court: a clerk, no account, on a phone.
    clerk = browser.new_context(viewport={"width": 390, "height": 844})
    clerk_page = clerk.new_page()
    clerk_page.goto(base + "/verify/")
    clerk_page.set_input_files("input[name=file]", str(pdf))
    clerk_page.set_input_files("input[name=checkpoint_file]", str(checkpoint))
    submit(clerk_page, "Check", exact=True)
    verdict = clerk_page.get_by_role("status")
    assert "Valid" in verdict.inner_text()
    assert "The record of “Rivera family” is intact." in verdict.inner_text()
    assert "It extends the checkpoint you gave" in verdict.inner_text()
    assert no_sideways_scroll(clerk_page) and axe_violations(clerk_page) == []
    assert errors == []
    for context in (alex, sam, clerk):
        context.close()

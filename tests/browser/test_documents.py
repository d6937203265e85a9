"""Issue 13 in real browsers: on his phone, Alex puts Mia's school report in the family folder;
Sam is told, opens it from the folder, sees its SHA-256 and downloads exactly the bytes Alex
uploaded. axe-core finds nothing serious and nothing scrolls sideways on the phone."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from coparent.documents.demo import one_page_pdf
from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    no_sideways_scroll,
    submit,
    upload_document,
)

pytestmark = pytest.mark.browser

REPORT = one_page_pdf("Mia's spring term report", ["Lincoln Elementary", "Reading: secure."])


def test_alex_uploads_a_school_report_and_sam_opens_it(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    alex_errors, sam_errors = console_errors(page), console_errors(sam_page)
    add_child(page, dashboard, "Mia", "2016-05-02")

    document = upload_document(
        page,
        dashboard,
        title="Spring term report",
        dated="2026-04-10",
        category="school_report",
        children=("Mia",),
        file=("report.pdf", REPORT),
    )
    assert "The document is in the family's folder." in page.content()
    digest = hashlib.sha256(REPORT).hexdigest()
    expect(page.get_by_text(digest)).to_be_visible()
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshots / "document-390.png"), full_page=True)
    page.goto(dashboard + "documents/")
    expect(page.get_by_role("link", name="Spring term report")).to_be_visible()
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshots / "folder-390.png"), full_page=True)

    # Sam finds it in the folder, filtered to school reports, and opens it.
    sam_page.goto(dashboard)
    follow(sam_page.get_by_role("link", name="Documents").first)
    sam_page.select_option("select[name=category]", "school_report")
    submit(sam_page, "Show")
    assert axe_violations(sam_page) == []
    follow(sam_page.get_by_role("link", name="Spring term report"))
    sam_page.wait_for_url(re.compile(re.escape(document)))
    expect(sam_page.get_by_text(digest)).to_be_visible()
    assert "Mia" in sam_page.content()
    with sam_page.expect_download() as got:
        sam_page.get_by_role("link", name="Download report.pdf").click()
    path = got.value.path()
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == digest  # noqa: PTH123
    assert alex_errors == [] and sam_errors == []
    alex.close()
    sam.close()

"""Insights in real browsers, on a phone: Alex writes to Sam, Sam answers, Alex thanks him.
Each opens Insights from the family's navigation and sees both parents' reply times, the
exchanges and the time-share — and only their own tone, in a chart a screen reader can name
and a table beside it, with nothing to scroll sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    no_sideways_scroll,
    send_message,
    submit,
)

pytestmark = pytest.mark.browser


def test_each_parent_reads_the_months_in_figures_and_only_their_own_tone(
    server, browser, screenshots
):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    errors = console_errors(page) + console_errors(sam_page)
    thread_url = send_message(page, dashboard, "Dentist", "health", "Can you take Mia on Friday?")
    sam_page.goto(thread_url)
    sam_page.fill("textarea[name=body]", "Yes, I'll take her.")
    submit(sam_page, "Send reply")

    # Alex opens Insights from the family's navigation.
    page.goto(dashboard)
    follow(page.get_by_role("navigation", name="Family").get_by_role("link", name="Insights"))
    page.wait_for_url(re.compile(r"/insights/$"))
    expect(page.get_by_role("heading", name="Time to reply")).to_be_visible()
    expect(page.get_by_role("img", name="Time to reply, each month")).to_be_visible()
    expect(page.get_by_role("heading", name="Your tone")).to_be_visible()
    replies = page.locator("#replies-table tbody tr").last.inner_text()
    assert "(1)" in replies  # Sam answered once this month
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshots / "alex-insights.png"), full_page=True)

    # A backwards period is refused beside its field.
    page.fill("input[name=start]", "2027-05-02")
    page.fill("input[name=end]", "2027-05-01")
    submit(page, "Show")
    expect(page.get_by_text("The end must come after the start.")).to_be_visible()

    # Sam's page shows his own tone: one message sent this month, not Alex's.
    sam_page.goto(dashboard + "insights/")
    tone = sam_page.locator("#tone-table tbody tr").last.inner_text()
    assert tone.split()[-3:] == ["1", "0", "0"]
    assert errors == []

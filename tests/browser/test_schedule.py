"""Stories 3 and 9 in two real browsers: Alex proposes a 2-2-3 plan, Sam accepts it, both see
the same month; a birthday party Alex adds appears in Sam's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    add_child,
    family_with_two_parents,
    propose_and_accept_plan,
    submit,
)

pytestmark = pytest.mark.browser


def _month_grid(page) -> str:
    # The whole text, hidden parts included: the phone layout shows less than the desktop one.
    return " ".join(page.locator("table.month").text_content().split())


def test_a_plan_is_proposed_accepted_and_shared(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    # Two days ahead, in UTC: never in the past in any zone, as a plan must not start there.
    start = (datetime.now(UTC) + timedelta(days=2)).date()
    month = f"?month={start:%Y-%m}"

    add_child(page, dashboard, "Mia", "2016-05-02")

    # Alex proposes a 2-2-3 rotation with an 18:00 exchange at school; Sam accepts it.
    propose_and_accept_plan(page, sam_page, dashboard, start, "America/Chicago")
    assert "Version 1" in sam_page.content()

    # Both see the same month, with the exchanges at the school gate.
    page.goto(dashboard + "schedule/" + month)
    sam_page.goto(dashboard + "schedule/" + month)
    alex_month, sam_month = _month_grid(page), _month_grid(sam_page)
    assert alex_month == sam_month
    assert "School gate" in page.content()
    page.screenshot(path=str(screenshots / "alex-month.png"), full_page=True)

    # Alex adds Mia's birthday party; it appears in Sam's calendar.
    page.goto(dashboard + "events/new/")
    page.fill("input[name=title]", "Mia's birthday party")
    page.get_by_label("Mia").check()
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=start_time]", "14:00")
    page.fill("input[name=end_time]", "16:00")
    page.select_option("select[name=timezone]", "America/Chicago")
    submit(page, "Add the event")
    sam_page.goto(dashboard + "schedule/" + month)
    expect(sam_page.get_by_text("Mia's birthday party").first).to_be_visible()
    sam_page.screenshot(path=str(screenshots / "sam-month.png"), full_page=True)

    alex.close()
    sam.close()

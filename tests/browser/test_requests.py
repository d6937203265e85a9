"""Story 2 in two real browsers: Alex asks to take Mia on a trip, Sam answers with other dates,
Alex approves them, and the trip is on both parents' calendars on the dates Sam proposed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    propose_and_accept_plan,
    submit,
)

pytestmark = pytest.mark.browser


def test_a_trip_is_countered_with_other_dates_and_approved(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(
        browser, base, data_dir, zone="America/Chicago"
    )
    errors = console_errors(page)
    today = datetime.now(UTC).date()
    add_child(page, dashboard, "Mia", "2016-05-02")
    propose_and_accept_plan(page, sam_page, dashboard, today + timedelta(days=2), "America/Chicago")

    # Alex asks for a trip to Denver with Mia, days 10 to 13 from now.
    page.goto(dashboard + "requests/new/")
    follow(page.get_by_role("link", name="Trip"))
    page.fill("input[name=title]", "Trip to Denver")
    page.get_by_label("Mia").check()
    page.fill("input[name=start_date]", (today + timedelta(days=10)).isoformat())
    page.fill("input[name=end_date]", (today + timedelta(days=13)).isoformat())
    page.fill("input[name=destination]", "Denver")
    page.fill("textarea[name=contact]", "My phone, and Grandma's landline")
    page.get_by_label(re.compile("The children come with me")).check()
    submit(page, "Send the request")
    page.wait_for_url(re.compile(r"/requests/[0-9a-f-]{36}/$"))

    # Sam proposes the following week instead.
    sam_page.goto(dashboard + "requests/")
    follow(sam_page.get_by_role("link", name="Trip to Denver"))
    assert axe_violations(sam_page, impacts=("moderate", "serious", "critical")) == []
    follow(sam_page.get_by_role("link", name="Propose something else"))
    assert axe_violations(sam_page, impacts=("moderate", "serious", "critical")) == []
    sam_page.fill("textarea[name=details]", "The week after works better: Mia has a recital.")
    first, last = today + timedelta(days=17), today + timedelta(days=20)
    sam_page.fill("input[name=start_date]", first.isoformat())
    sam_page.fill("input[name=end_date]", last.isoformat())
    submit(sam_page, "Send my proposal")
    sam_page.wait_for_url(re.compile(r"/requests/[0-9a-f-]{36}/$"))
    assert "Waiting for an answer" in sam_page.content()

    # Alex approves Sam's dates.
    page.goto(dashboard + "requests/")
    follow(page.get_by_role("link", name="Trip to Denver"))
    submit(page, "Approve")
    assert "Approved" in page.content()
    page.screenshot(path=str(screenshots / "alex-trip-approved.png"), full_page=True)

    # The trip is on both calendars, on the days Sam proposed, not those Alex first asked.
    for who in (page, sam_page):
        who.goto(dashboard + f"schedule/day/{(first + timedelta(days=1)).isoformat()}/")
        assert "Trip to Denver" in who.content()
        who.goto(dashboard + f"schedule/day/{(today + timedelta(days=11)).isoformat()}/")
        assert "Trip to Denver" not in who.content()
    sam_page.goto(dashboard + f"schedule/?month={first:%Y-%m}")
    assert "Trip to Denver" in sam_page.content()
    sam_page.screenshot(path=str(screenshots / "sam-month-trip.png"), full_page=True)
    assert errors == []

    alex.close()
    sam.close()

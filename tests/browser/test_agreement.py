"""Story 2, "Not without my approval", in two real browsers: Sam asks to open a social-media
account for Mia, Alex declines with a reason, then Alex proposes the library's clause that such
decisions need both parents and Sam signs it; from then on the event form warns when an event
would make that decision one-sided."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    submit,
)

pytestmark = pytest.mark.browser


def test_not_without_my_approval(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(
        browser, base, data_dir, zone="America/Chicago"
    )
    errors = console_errors(page)
    add_child(page, dashboard, "Mia", "2013-05-02")

    # Sam asks.
    sam_page.goto(dashboard + "requests/new/?kind=social_media")
    sam_page.fill("input[name=title]", "Open an Instagram account for Mia")
    sam_page.fill("textarea[name=details]", "All her friends have one; I would follow it.")
    sam_page.get_by_label("Mia").check()
    submit(sam_page, "Send the request")
    sam_page.wait_for_url(re.compile(r"/requests/[0-9a-f-]{36}/$"))

    # Alex declines, with a reason.
    page.goto(dashboard + "requests/")
    follow(page.get_by_role("link", name="Open an Instagram account for Mia"))
    page.fill("textarea[name=reason]", "She is 13. Let's talk about it again next summer.")
    submit(page, "Decline")
    assert "Declined" in page.content()
    sam_page.reload()
    assert "Let's talk about it again next summer." in sam_page.content()

    # Alex proposes the library's clause; Sam signs it.
    page.goto(dashboard + "agreement/library/")
    follow(
        page.get_by_role(
            "link", name="Start from “Social media accounts, apps and phones: both parents decide”"
        )
    )
    submit(page, "Propose")
    sam_page.goto(dashboard + "agreement/")
    assert axe_violations(sam_page, impacts=("serious", "critical")) == []
    sam_page.once("dialog", lambda dialog: dialog.accept())  # "Sign this clause?"
    submit(sam_page, "Sign")
    page.goto(dashboard + "agreement/")
    assert "Social media accounts, apps and phones: both parents decide" in page.content()
    assert "Waiting" not in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots / "alex-agreement.png"), full_page=True)

    # From now on an event that would open the account alone is stopped with a warning.
    sam_page.goto(dashboard + "events/new/")
    sam_page.fill("input[name=title]", "Setting up Mia's Instagram account")
    sam_page.get_by_label("Mia").check()
    sam_page.get_by_label("All day").check()
    sam_page.fill("input[name=start_date]", "2040-06-01")
    submit(sam_page, "Add the event")
    assert "Your agreement says this needs both parents." in sam_page.content()
    assert errors == []

    alex.close()
    sam.close()

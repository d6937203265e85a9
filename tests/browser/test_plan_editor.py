"""On phones (390 px): Alex changes the plan in plain words — a week each, Sam on the first day,
Thanksgiving from the US list the evening before — sees the preview in one tap (it says it is
updating while it does), and proposes it. Sam's notification centre tells him; a tap opens the
proposal, where "What changes" shows the nights that move and a small calendar of the months
affected, above the Accept button. axe-core finds nothing serious on either page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    no_sideways_scroll,
    propose_and_accept_plan,
    submit,
    wait_for_unread,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _preview_idle(page) -> None:
    # (A locator, not wait_for_function: the page's CSP rightly forbids evaluating strings.)
    page.locator('#plan-preview[aria-busy="false"]').wait_for()


def test_alex_changes_the_plan_in_plain_words_and_sam_sees_what_changes(
    server, browser, screenshots
):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(
        browser, base, data_dir, zone="America/Chicago"
    )
    sam_page.set_viewport_size(PHONE)
    errors = console_errors(page) + console_errors(sam_page)
    start = (datetime.now(UTC) + timedelta(days=2)).date()
    propose_and_accept_plan(page, sam_page, dashboard, start, "America/Chicago")

    # Alex opens the editor: questions, not codes.
    page.goto(dashboard + "schedule/plan/")
    expect(page.get_by_label("Who has the children on the first day?")).to_be_visible()
    assert "Day 0" not in page.content() and "parent A" not in page.content()
    page.get_by_label("How the children move between you").select_option("alternating-weeks")
    page.get_by_label("Who has the children on the first day?").select_option(label="Sam")
    page.get_by_label("Where exchanges happen").fill("School")
    # The family's country brings its holidays to choose from (the page comes back with them).
    page.get_by_label("Country whose holidays you keep").select_option("US")
    page.wait_for_url(re.compile(r"#holiday-rows$"))
    row = page.locator("#holiday-row-0")
    row.get_by_label("Holiday", exact=True).select_option("Thanksgiving Day")
    row.get_by_label("Starts", exact=True).select_option(label="the day before")
    row.get_by_label("Starting at").fill("17:30")
    row.get_by_label("Ends", exact=True).select_option(label="3 days after")
    row.get_by_label("Ending at").fill("18:00")
    row.get_by_label("Who has the children").select_option(label="Sam")
    row.get_by_label("Which years").select_option("even")
    page.get_by_label("The plan starts on").fill(start.isoformat())
    page.wait_for_timeout(800)  # the live preview's pause after typing
    _preview_idle(page)

    # One tap on the bar at the bottom of the phone's screen: the preview says it is updating,
    # then shows the months, in view.
    held = []
    page.route("**/schedule/plan/preview/", lambda route: held.append(route))
    bar = page.get_by_role("button", name="See the preview")
    assert bar.is_visible() and bar.bounding_box()["height"] >= 44
    bar.click()
    page.locator('#plan-preview[aria-busy="true"]').wait_for()
    expect(page.get_by_text("Updating the preview")).to_be_visible()
    for route in held:
        route.continue_()
    page.unroute("**/schedule/plan/preview/")
    _preview_idle(page)
    expect(page.get_by_text("Updating the preview")).not_to_be_visible()
    preview = page.locator("#plan-preview")
    assert preview.locator("table.month").count() == 2
    assert re.search(r"Exchanges at 6:00\sPM at School, on \w+day\.", preview.inner_text())
    assert page.evaluate(
        "(() => { const r = document.getElementById('preview-title').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; })()"
    )
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshots / "alex-editor-390.png"), full_page=True)

    submit(page, "Propose this plan")
    page.wait_for_url(re.compile(r"/schedule/proposals/$"))

    # Sam's centre has it; a tap leads to the proposal and what it changes.
    # Two unread: the first plan (answered from the proposals page) and this change.
    assert wait_for_unread(sam_page, dashboard, at_least=2).split()[0] == "2"
    follow(sam_page.get_by_role("link", name=re.compile("^Notifications")).first)
    submit(sam_page, re.compile("Alex proposed a change to the parenting plan"))
    sam_page.wait_for_url(re.compile(r"/schedule/proposals/$"))
    changes = sam_page.locator(".what-changes")
    expect(changes.get_by_role("heading", name="What changes")).to_be_visible()
    assert re.search(r"nights? moves? from (Alex|Sam) to (Sam|Alex)", changes.inner_text())
    assert changes.locator("table.small-month").count() >= 1
    assert changes.locator("td.changed").count() >= 1
    assert "Thanksgiving Day" in changes.inner_text()
    accept = sam_page.get_by_role("button", name="Accept")
    expect(accept).to_be_visible()
    assert changes.bounding_box()["y"] < accept.bounding_box()["y"]
    assert no_sideways_scroll(sam_page)
    assert axe_violations(sam_page) == []
    sam_page.screenshot(path=str(screenshots / "sam-what-changes-390.png"), full_page=True)
    assert errors == []

    alex.close()
    sam.close()

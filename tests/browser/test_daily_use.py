"""A parent lives in Coparent on a phone, at the school gate: the Rivera family lives in
Auckland (their browsers say so, and the family takes the zone from Alex's when he creates it).
At 390 px Alex opens the family and sees who has the children now and until when; taps a day of
the month and reads it; the chart, the controls and every main page hold up — and axe-core
finds no serious or critical problem on any of them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    propose_and_accept_plan,
    send_message,
    submit,
)

pytestmark = pytest.mark.browser

AUCKLAND = "Pacific/Auckland"


@pytest.fixture(scope="module")
def rivera(server, browser):
    """Alex (a phone, 390 px) and Sam (a desktop) in Auckland, with Mia, a 2-2-3 plan in force
    from today, Mia's party in two days, and a message from Sam."""
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(
        browser, base, data_dir, zone=AUCKLAND
    )
    today = datetime.now(ZoneInfo(AUCKLAND)).date()
    add_child(page, dashboard, "Mia", "2016-05-02")
    propose_and_accept_plan(page, sam_page, dashboard, today, AUCKLAND)

    sam_page.goto(dashboard + "events/new/")
    sam_page.fill("input[name=title]", "Mia's birthday party")
    sam_page.get_by_label("Mia").check()
    sam_page.fill("input[name=start_date]", (today + timedelta(days=2)).isoformat())
    sam_page.fill("input[name=start_time]", "14:00")
    sam_page.fill("input[name=end_time]", "16:00")
    submit(sam_page, "Add the event")

    thread = send_message(
        sam_page, dashboard, "Dentist", "health", "The dentist moved Mia to Friday at 15:00."
    )
    yield {"page": page, "sam_page": sam_page, "dashboard": dashboard, "thread": thread}
    alex.close()
    sam.close()


def test_at_390px_the_dashboard_answers_who_has_the_children_now(rivera, screenshots):
    page, dashboard = rivera["page"], rivera["dashboard"]
    errors = console_errors(page)
    page.goto(dashboard)

    now = page.locator(".custody-now")
    expect(now).to_be_visible()
    assert re.search(
        r"The children are with (Alex|Sam) until \w{3}, \w{3} \d{1,2}", now.inner_text()
    )
    assert "hands over to" in page.locator(".next-exchange").inner_text()
    assert "School gate" in page.locator(".next-exchange").inner_text()
    # The family took Alex's browser's zone when he created it; the page says it once.
    assert re.match(
        r"Times in Pacific/Auckland \(NZ[DS]T\)", page.locator(".zone-label").inner_text()
    )
    # What waits for Alex: Sam's message and Mia's party to answer.
    waiting = page.locator(".waiting").inner_text()
    assert "1 message you have not read yet." in waiting
    assert "Mia's birthday party" in waiting
    # Who has them comes before anything else, within the first screen of a phone.
    assert now.bounding_box()["y"] < 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "dashboard-390.png"), full_page=True)
    assert errors == []


def test_at_390px_a_day_in_the_month_view_opens_its_detail(rivera, screenshots):
    page, dashboard = rivera["page"], rivera["dashboard"]
    page.goto(dashboard + "schedule/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Each day shows its parent's colour, and says it in words to a screen reader.
    today = page.locator("td.today")
    assert today.locator("svg.daybar rect").count() >= 1
    assert re.search(r"with (Alex|Sam)", today.locator("a.day-link").text_content())
    # Days with an exchange carry a mark (the plan starts today); the party's day another.
    assert page.locator("td .mark-exchange").count() >= 1
    assert page.locator("td .mark-event").count() >= 1
    page.screenshot(path=str(screenshots / "month-390.png"), full_page=True)

    # A tap anywhere on today's cell, not only on its number, opens the day.
    box = today.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 6
    assert page.evaluate(f"document.elementFromPoint({x}, {y}).className") == "day-link"
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/schedule/day/\d{4}-\d{2}-\d{2}/$"))
    expect(page.get_by_role("heading", name="Who has the children")).to_be_visible()
    assert re.search(r"(Alex|Sam)", page.locator(".stays").inner_text())
    page.screenshot(path=str(screenshots / "day-390.png"), full_page=True)


def test_on_a_desktop_an_exchange_is_its_time_and_an_arrow_the_rest_on_hover(rivera):
    sam_page, dashboard = rivera["sam_page"], rivera["dashboard"]
    sam_page.goto(dashboard + "schedule/")
    line = sam_page.locator("td li.exchange").first
    seen = line.evaluate(
        "e => { const c = e.cloneNode(true);"
        " c.querySelectorAll('.visually-hidden').forEach(h => h.remove());"
        " return c.textContent.trim(); }"
    )
    assert re.fullmatch(r"\d{1,2}:\d{2}\s?[AP]M →", seen)
    assert re.search(
        r"(Alex|Sam) hands over to (Alex|Sam) at School gate", line.get_attribute("title")
    )


def test_at_390px_the_chart_is_whole_and_readable(rivera, screenshots):
    page, dashboard = rivera["page"], rivera["dashboard"]
    page.goto(dashboard + "schedule/timeshare/")
    svg = page.locator("figure.chart svg")
    frame = svg.bounding_box()
    texts = svg.locator("text")
    assert texts.filter(has_text="100%").count() == 1
    for index in range(texts.count()):
        box = texts.nth(index).bounding_box()
        # Inside the drawing (nothing clipped), and text a person can read on a phone.
        assert (
            frame["x"] - 1 <= box["x"]
            and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
        )
        assert box["height"] >= 11
    # Whole numbers without ".0": "188 overnights", not "188.0".
    assert not re.search(r"\d\.0\b", page.locator("table.share").inner_text())
    page.screenshot(path=str(screenshots / "timeshare-390.png"), full_page=True)


def test_at_390px_controls_are_big_enough_to_touch(rivera):
    page, dashboard = rivera["page"], rivera["dashboard"]
    page.goto(dashboard + "events/new/")
    controls = page.locator("main input:visible, main select:visible, main button:visible")
    assert controls.count() > 5
    for index in range(controls.count()):
        control = controls.nth(index)
        size = control.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        kind = control.get_attribute("type") or ""
        assert size >= 16, control.evaluate("e => e.outerHTML")
        if kind in ("checkbox", "radio"):
            # The box is drawn at 24 px; its label's row is the 44 px target.
            label = page.locator(f'label[for="{control.get_attribute("id")}"]')
            assert label.bounding_box()["height"] >= 44
        else:
            box = control.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, control.evaluate("e => e.outerHTML")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_axe_finds_no_moderate_serious_or_critical_problem_on_the_main_pages(rivera, viewport):
    page = rivera["page"] if viewport == "phone" else rivera["sam_page"]
    dashboard = rivera["dashboard"]
    pages = {
        "dashboard": dashboard,
        "month": dashboard + "schedule/",
        "day": dashboard + f"schedule/day/{datetime.now(ZoneInfo(AUCKLAND)).date()}/",
        "inbox": dashboard + "messages/",
        "thread": rivera["thread"],
        "plan editor": dashboard + "schedule/plan/",
        "time-share": dashboard + "schedule/timeshare/",
        "record": dashboard + "record/",
        "requests": dashboard + "requests/",
        "request form": dashboard + "requests/new/?kind=trip",
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        problems = axe_violations(page, impacts=("moderate", "serious", "critical"))
        if problems:
            found[name] = problems
    assert found == {}
    # The checker itself sees a problem planted on the page (an image without a text).
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert any(line.startswith("image-alt") for line in axe_violations(page))

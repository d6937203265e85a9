"""Issue 5 in two real browsers: the coach is not only in messages. Alex, angry, writes a child
event's notes; the coach warns him beside that box as he types, and changes nothing: he may
save his own words. On the event page Sam answers with a kind note; the RSVP box has its own
coach, which says so, while the cancellation box's coach stays quiet."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    WAIT_MS,
    add_child,
    console_errors,
    family_with_two_parents,
    submit,
)

pytestmark = pytest.mark.browser

ANGRY = "You NEVER listen, this is ridiculous!!!"
WARNING = re.compile(r"Caution|Hostile")  # the coach's two warning levels, as the panel names them
KIND = "Thanks for organising this, I'll bring the cake."


def test_the_coach_warns_beside_a_child_events_notes_and_each_box_has_its_own(
    server, browser, screenshots
):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    alex_errors, sam_errors = console_errors(page), console_errors(sam_page)
    day = (datetime.now(UTC) + timedelta(days=10)).date()

    add_child(page, dashboard, "Mia", "2016-05-02")

    # Alex adds Mia's party and, angry, types the notes key by key.
    page.goto(dashboard + "events/new/")
    page.fill("input[name=title]", "Mia's birthday party")
    page.get_by_label("Mia").check()
    page.fill("input[name=start_date]", day.isoformat())
    page.fill("input[name=start_time]", "14:00")
    page.fill("input[name=end_time]", "16:00")
    page.locator("textarea[name=notes]").press_sequentially(ANGRY, delay=15)

    # The warning appears next to the notes box, in its own panel.
    coach = page.locator("#id_notes_tone")
    expect(coach).to_contain_text(WARNING, timeout=WAIT_MS)
    expect(coach).to_contain_text('Always" and "never" turn one event into a verdict')
    expect(coach).to_contain_text("You NEVER")
    expect(coach).to_contain_text("Use this version")
    expect(page.locator("#id_notes ~ .tone-mirror mark").first).to_have_text("You NEVER")
    # The coach changed nothing on its own.
    assert page.input_value("textarea[name=notes]") == ANGRY
    page.screenshot(path=str(screenshots / "alex-event-notes-coach.png"), full_page=True)

    # It never blocks: Alex saves his own words, and they are kept as typed.
    submit(page, "Add the event")
    page.wait_for_url(re.compile(r"/events/[0-9a-f-]{36}/$"))
    expect(page.get_by_text(ANGRY)).to_be_visible()

    # Sam answers on the event page, which has two coached boxes: the RSVP note's coach speaks,
    # the cancellation reason's stays empty.
    sam_page.goto(page.url)
    sam_page.get_by_label("Yes, I'll be there").check()
    sam_page.locator("input[name=note]").press_sequentially(KIND, delay=10)
    rsvp_coach = sam_page.locator("#id_note_tone")
    expect(rsvp_coach).to_contain_text("Calm", timeout=WAIT_MS)
    expect(rsvp_coach).to_contain_text("Supportive wording")
    expect(sam_page.locator("#id_reason_tone")).to_be_empty()
    sam_page.screenshot(path=str(screenshots / "sam-rsvp-coach.png"), full_page=True)
    submit(sam_page, "Save my answer")
    expect(sam_page.locator(".answers")).to_contain_text(KIND)  # kept as she typed it

    assert alex_errors == []
    assert sam_errors == []
    alex.close()
    sam.close()

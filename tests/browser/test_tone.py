"""Story 6, "poking the bear", in two real browsers. Alex, angry, once sent Sam an insult. Now he
types another; the coach warns him as he types, he takes its calmer version and sends that.
Sam, who turned the shield on, finds the old insult folded behind "Show original wording" and
opens it when she chooses to."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import WAIT_MS, console_errors, family_with_two_parents, follow, submit

pytestmark = pytest.mark.browser

OLDER = "Can you have Mia ready at 5 on Friday? You are a pathetic liar and everyone knows it."
INSULT = "You are a pathetic liar and everyone knows it."
ANGRY = "You ALWAYS do this, you're a terrible father"


def _compose(page, dashboard: str, subject: str) -> None:
    page.goto(dashboard + "messages/new/")
    page.fill("input[name=subject]", subject)


def test_the_coach_warns_the_writer_and_the_shield_folds_for_the_reader(
    server, browser, screenshots
):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    alex_errors, sam_errors = console_errors(page), console_errors(sam_page)
    coach = page.locator("#tone-coach")

    # Last week Alex sent an insult anyway: the coach warned him, but it never blocks.
    _compose(page, dashboard, "School pickup")
    page.fill("textarea[name=body]", OLDER)
    expect(coach).to_contain_text("Hostile", timeout=WAIT_MS)
    submit(page, "Send", exact=True)
    page.wait_for_url(re.compile(r"/messages/threads/[0-9a-f-]{36}/"))

    # Today he types another, key by key; the warning and the calmer phrasing appear.
    _compose(page, dashboard, "Friday")
    page.locator("textarea[name=body]").press_sequentially(ANGRY, delay=15)
    expect(coach).to_contain_text("Hostile", timeout=WAIT_MS)
    expect(coach).to_contain_text("you're a terrible father")
    expect(coach).to_contain_text("Name-calling attacks the person, not the problem.")
    expect(coach).to_contain_text("Calmer: Leave the label out.")
    # Under the box, his own words with the flagged ones marked.
    marks = page.locator(".tone-mirror mark")
    expect(marks).to_have_text(["You ALWAYS", "you're a terrible father"])
    # The coach changed nothing on its own.
    assert page.input_value("textarea[name=body]") == ANGRY
    page.screenshot(path=str(screenshots / "alex-coach-warns.png"), full_page=True)

    # He takes the calmer version: only now does the text in the box change.
    rewrite = coach.locator('[data-slot="rewrite"]').inner_text()
    page.get_by_role("button", name="Use this version").click()
    assert page.input_value("textarea[name=body]").split() == rewrite.split()
    expect(coach).to_contain_text("Calm", timeout=WAIT_MS)
    expect(page.locator(".tone-mirror mark:not(.tone-good)")).to_have_count(0)
    sent = page.input_value("textarea[name=body]")
    submit(page, "Send", exact=True)
    page.wait_for_url(re.compile(r"/messages/threads/[0-9a-f-]{36}/"))
    assert page.locator(".message-body").inner_text().split() == sent.split()

    # Sam turns the shield on.
    sam_page.goto(dashboard + "messages/notifications/")
    sam_page.get_by_label("Fold hostile wording in messages I receive").check()
    submit(sam_page, "Save")
    sam_page.wait_for_url(re.compile(r"/messages/$"))

    # The older message arrives folded: the request shows, the insult waits behind a summary.
    follow(sam_page.get_by_role("link", name="School pickup"))
    sam_page.wait_for_url(re.compile(r"/messages/threads/"))
    body = sam_page.locator(".message-body")
    expect(body).to_contain_text("Can you have Mia ready at 5 on Friday?")
    summary = sam_page.locator("details.shield > summary", has_text="Show original wording")
    expect(summary).to_be_visible()
    insult = sam_page.get_by_text(INSULT)
    expect(insult).to_be_hidden()
    sam_page.screenshot(path=str(screenshots / "sam-shield-folded.png"), full_page=True)
    summary.click()
    expect(insult).to_be_visible()
    sam_page.screenshot(path=str(screenshots / "sam-shield-opened.png"), full_page=True)

    # The calm message is shown as written, nothing folded.
    sam_page.goto(dashboard + "messages/")
    follow(sam_page.get_by_role("link", name="Friday"))
    sam_page.wait_for_url(re.compile(r"/messages/threads/"))
    expect(sam_page.locator("details.shield")).to_have_count(0)
    assert sam_page.locator(".message-body").inner_text().split() == sent.split()

    assert alex_errors == []
    assert sam_errors == []
    alex.close()
    sam.close()

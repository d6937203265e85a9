"""Story 5, "There's just no communication", in two real browsers: Alex writes about a school
pickup, Sam opens it, Alex then sees "viewed at …", and the replies arrive in order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import family_with_two_parents, follow, send_message, submit

pytestmark = pytest.mark.browser


def test_no_communication_story(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)

    # Alex writes about Friday's school pickup.
    page.goto(dashboard)
    follow(page.get_by_role("link", name=re.compile("^Messages")).first)
    follow(page.get_by_role("link", name="New message"))
    assert "can never be edited or deleted" in page.content()
    thread_url = send_message(
        page,
        dashboard,
        "School pickup on Friday",
        "school",
        "Can you pick Mia up at 15:00 on Friday?",
    )
    expect(page.get_by_text("not yet viewed").first).to_be_visible()

    # Sam sees one unread conversation and opens it.
    sam_page.goto(dashboard + "messages/")
    expect(sam_page.get_by_text("1 unread").first).to_be_visible()
    follow(sam_page.get_by_role("link", name="School pickup on Friday"))
    sam_page.wait_for_url(re.compile(r"/messages/threads/"))
    expect(sam_page.get_by_text("Can you pick Mia up at 15:00 on Friday?")).to_be_visible()

    # Alex now sees when Sam first viewed it.
    page.goto(thread_url)
    # In the family's zone, as every time (the browser's here: UTC), in the browser's style.
    viewed = re.compile(r"viewed \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}")
    expect(page.get_by_text(viewed)).to_be_visible()
    page.screenshot(path=str(screenshots / "alex-thread-viewed.png"), full_page=True)

    # The replies arrive in order.
    sam_page.fill("textarea[name=body]", "Yes, I'll be at the gate at 15:00.")
    submit(sam_page, "Send reply")
    page.goto(thread_url)
    page.fill("textarea[name=body]", "Thank you!")
    submit(page, "Send reply")
    bodies = page.locator(".message-body").all_inner_texts()
    assert bodies == [
        "Can you pick Mia up at 15:00 on Friday?",
        "Yes, I'll be at the gate at 15:00.",
        "Thank you!",
    ]
    expect(page.get_by_text(re.compile("replied after")).first).to_be_visible()
    alex.close()
    sam.close()

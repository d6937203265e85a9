"""On a phone (390 px), Sam receives Alex's message with a photo and angry wording: the photo
shows as a thumbnail that opens the full picture, and the page offers, once, to fold wording
like this; one tap turns the shield on and folds it. axe-core finds nothing serious."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.steps import (
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    no_sideways_scroll,
    submit,
)

pytestmark = pytest.mark.browser

HOSTILE = "Here is Mia at the zoo. You are a pathetic liar and everyone knows it."


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40, 140, 90)).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_sam_sees_a_thumbnail_and_is_offered_the_shield_on_a_phone(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    errors = console_errors(sam_page)

    # Alex sends the photo with the message, from his phone.
    page.goto(dashboard + "messages/new/")
    page.fill("input[name=subject]", "Zoo trip")
    page.select_option("select[name=topic]", "children")
    page.fill("textarea[name=body]", HOSTILE)
    page.set_input_files(
        "input[name=attachments]",
        files=[{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": _photo()}],
    )
    submit(page, "Send", exact=True)
    page.wait_for_url(re.compile(r"/messages/threads/[0-9a-f-]{36}/"))
    thread_url = page.url.split("#")[0]
    # The sender sees his photo as a thumbnail too, and is never offered anything.
    expect(page.get_by_role("img", name="Photo IMG_2041.jpg: open it full size")).to_be_visible()
    assert page.get_by_text("Fold wording like this in future?").count() == 0

    # Sam opens it on his phone.
    sam_page.set_viewport_size({"width": 390, "height": 844})
    sam_page.goto(thread_url)
    thumbnail = sam_page.get_by_role("img", name="Photo IMG_2041.jpg: open it full size")
    thumbnail.scroll_into_view_if_needed()
    sam_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    natural = thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural == [480, 360]  # made small on the server
    box = thumbnail.bounding_box()
    assert box is not None and box["width"] <= 240 and box["height"] >= 44
    link = sam_page.get_by_role("link", name="Photo IMG_2041.jpg: open it full size")
    assert re.search(r"/messages/attachments/[0-9a-f-]{36}/$", link.get_attribute("href"))

    offer = sam_page.get_by_role("region", name="Fold wording like this in future?")
    expect(offer).to_be_visible()
    assert "liar" not in offer.inner_text()
    for name in ("Yes, fold it", "No thanks"):
        button = offer.get_by_role("button", name=name).bounding_box()
        assert button is not None and button["height"] >= 44 and button["width"] >= 44
    assert no_sideways_scroll(sam_page)
    assert axe_violations(sam_page) == []
    sam_page.screenshot(path=str(screenshots / "sam-thumbnail-and-offer-390.png"), full_page=True)

    # One tap: the shield is on, and the attack is folded behind "Show original wording".
    follow(offer.get_by_role("button", name="Yes, fold it"))
    sam_page.wait_for_url(re.compile(re.escape(thread_url)))
    expect(sam_page.get_by_text("Your shield is on").first).to_be_visible()
    assert sam_page.locator("details.shield summary").first.inner_text() == (
        "Show original wording"
    )
    assert sam_page.get_by_text("Fold wording like this in future?").count() == 0
    assert axe_violations(sam_page) == []
    # Never again, even on a fresh visit.
    sam_page.goto(thread_url)
    assert sam_page.get_by_text("Fold wording like this in future?").count() == 0
    assert errors == []
    alex.close()
    sam.close()

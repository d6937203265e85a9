"""On a phone (390 px): Alex proposes a plan; Sam's header soon counts one unread notification;
the centre lists it, and a tap leads to the proposal, waiting for his answer. And Coparent
installs: Chromium finds the manifest and the service worker and reports nothing that would
stop installing it; offline, the app says so instead of the browser's error page."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from coparent.core.when import DEFAULT_LOCALE, format_day
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.steps import (
    console_errors,
    family_with_two_parents,
    follow,
    no_sideways_scroll,
    propose_plan,
    sign_up,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _wait_for_badge(page, url: str, timeout: float = 60) -> str:
    """Reload `url` until the header counts unread notifications (the worker tells Sam within a
    second or two of Alex's proposal); returns the count as shown."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        badge = page.locator("[data-unread-notifications]")
        if badge.count():
            return badge.inner_text()
        if time.monotonic() > deadline:
            raise AssertionError("no unread notification in the header")
        time.sleep(1)


def test_a_proposal_reaches_the_other_parents_notification_centre(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    sam_page.set_viewport_size(PHONE)
    errors = console_errors(sam_page)
    start = (datetime.now(UTC) + timedelta(days=2)).date()

    propose_plan(page, dashboard, start)

    badge = _wait_for_badge(sam_page, dashboard)
    assert badge.split()[0] == "1"
    header = sam_page.locator(".site-header")
    expect(header.get_by_role("link", name=re.compile(r"^Notifications 1 unread"))).to_be_visible()
    sam_page.screenshot(path=str(screenshots / "sam-header-390.png"))

    follow(header.get_by_role("link", name=re.compile("^Notifications")))
    sam_page.wait_for_url(re.compile(r"/notifications/$"))
    item = sam_page.get_by_role("button", name=re.compile("Alex proposed a parenting plan"))
    expect(item).to_be_visible()
    box = item.bounding_box()
    assert box is not None and box["height"] >= 44  # a finger's target
    from_day = format_day(start, DEFAULT_LOCALE, "weekday_year")
    expect(sam_page.get_by_text(f"From {from_day}")).to_be_visible()
    assert no_sideways_scroll(sam_page)
    sam_page.screenshot(path=str(screenshots / "sam-centre-390.png"), full_page=True)

    follow(item)
    sam_page.wait_for_url(re.compile(r"/schedule/proposals/$"))
    expect(sam_page.get_by_role("button", name="Accept")).to_be_visible()
    assert sam_page.locator("[data-unread-notifications]").count() == 0  # read now

    # His settings: the grid of kinds and channels fits the phone, each box a finger's target.
    sam_page.goto(base + "/notifications/settings/")
    box = sam_page.get_by_label("Answers to my events: Email").bounding_box()
    assert box is not None and box["width"] >= 20
    cell = sam_page.locator(".preference-grid .cell").first.bounding_box()
    assert cell is not None and cell["width"] >= 44 and cell["height"] >= 44
    assert no_sideways_scroll(sam_page)
    sam_page.screenshot(path=str(screenshots / "sam-settings-390.png"), full_page=True)
    assert errors == []

    alex.close()
    sam.close()


def test_chromium_finds_coparent_installable(server, browser, tmp_path, screenshots):
    """A real profile (an incognito one is never offered installation), on a phone's screen."""
    base, data_dir = server["url"], server["data_dir"]
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
    )
    try:
        page = context.new_page()
        errors = console_errors(page)
        page.goto(base + "/accounts/signup/")
        sign_up(page, base, f"dana-{int(time.time() * 1000)}@example.org", "Dana", data_dir)
        page.goto(base + "/")
        state = page.evaluate(
            "navigator.serviceWorker.ready.then((r) => r.active && r.active.state)"
        )
        assert state in ("activating", "activated")
        assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)") == base + "/"

        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == base + "/manifest.webmanifest"
        assert manifest["errors"] == []
        deadline = time.monotonic() + 30
        while True:
            found = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            if not found or time.monotonic() > deadline:
                break
            time.sleep(0.5)  # the worker may still be taking control of the page
        assert found == []

        # Offline: the service worker answers with its offline page.
        page.reload()
        context.set_offline(True)
        page.goto(base + "/families/new/")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        page.screenshot(path=str(screenshots / "offline-390.png"))
        context.set_offline(False)
        assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    finally:
        context.close()

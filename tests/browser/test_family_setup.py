"""The first path every family takes: a parent signs up, creates the family space, adds a child
and invites the co-parent; the co-parent accepts in a second browser and both see each other."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.steps import follow, link_in_emails, sign_up, submit

pytestmark = pytest.mark.browser


def test_two_parents_set_up_their_family_space(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    run = uuid.uuid4().hex[:8]
    alex_email, sam_email = f"alex-{run}@example.org", f"sam-{run}@example.org"

    alex = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = alex.new_page()

    # Alex signs up and confirms the address through the emailed link, which logs Alex in.
    page.goto(base + "/accounts/signup/")
    sign_up(page, base, alex_email, "Alex", data_dir)
    assert "confirmed" in page.content().lower()

    # Alex creates the family space.
    page.goto(base + "/families/new/")
    page.fill("input[name=name]", "Rivera family")
    submit(page, re.compile("create", re.I))
    page.wait_for_url(re.compile(r"/families/[0-9a-f-]{36}/$"))
    dashboard = page.url

    # Alex adds a child.
    page.goto(dashboard + "children/new/")
    page.fill("input[name=name]", "Mia")
    page.fill("input[name=date_of_birth]", "2016-05-02")
    submit(page, re.compile("add|save", re.I))
    page.goto(dashboard)
    expect(page.get_by_text("Mia").first).to_be_visible()

    # A date of birth in the future gets a message beside the field, and nothing is added.
    page.goto(dashboard + "children/new/")
    page.fill("input[name=name]", "Leo")
    page.fill("input[name=date_of_birth]", "2999-01-01")
    submit(page, re.compile("add|save", re.I))
    expect(page.locator(".has-error .error").first).to_be_visible()

    # Alex invites Sam as the second parent.
    page.goto(dashboard + "members/invite/")
    page.fill("input[name=email]", sam_email)
    page.select_option("select[name=role]", "parent")
    submit(page, re.compile("invite|send", re.I))
    invite_link = link_in_emails(data_dir, sam_email, "/invite/")

    # Sam opens the link in another browser, creates an account and accepts.
    sam = browser.new_context(viewport={"width": 1280, "height": 900})
    sam_page = sam.new_page()
    sam_page.goto(invite_link)
    assert "Rivera family" in sam_page.content()
    follow(sam_page.get_by_role("link", name=re.compile("create an account", re.I)))
    sign_up(sam_page, base, sam_email, "Sam", data_dir)
    follow(sam_page.get_by_role("link", name="Continue where you were"))
    sam_page.wait_for_url(re.compile(r"/invite/"))
    submit(sam_page, re.compile("accept", re.I))
    sam_page.wait_for_url(re.compile(r"/families/[0-9a-f-]{36}/$"))
    assert sam_page.url == dashboard
    expect(sam_page.get_by_text("Alex").first).to_be_visible()
    sam_page.screenshot(path=str(screenshots / "sam-dashboard.png"), full_page=True)

    # Alex sees Sam on the dashboard, and the record tells what happened.
    page.goto(dashboard)
    expect(page.get_by_text("Sam").first).to_be_visible()
    page.screenshot(path=str(screenshots / "alex-dashboard.png"), full_page=True)
    page.goto(dashboard + "record/")
    record = page.content()
    for label in ("Family created", "Child added", "Member invited", "Member joined"):
        assert label in record

    # The same link cannot be used twice.
    sam_page.goto(invite_link)
    assert "already been used" in sam_page.content()

    alex.close()
    sam.close()

"""Issue 13 in real browsers: Alex adds Mia's peanut allergy and her school from his phone; Sam
is told and reads the allergy with its history; Vic, the nanny, finds the allergy on Mia's
emergency card but never the school."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    add_child,
    axe_violations,
    console_errors,
    family_with_two_parents,
    follow,
    invite_and_join,
    no_sideways_scroll,
    submit,
    wait_for_unread,
)

pytestmark = pytest.mark.browser


def test_an_allergy_reaches_the_other_parent_and_the_nannys_card(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    add_child(page, dashboard, "Mia", "2016-05-02")
    errors = console_errors(page)

    # Alex, on his phone: the info bank, Mia, add an allergy.
    page.goto(dashboard)
    follow(page.get_by_role("link", name="Info bank").first)
    follow(page.get_by_role("link", name="Mia's info bank"))
    follow(page.get_by_role("link", name="Add allergy"))
    page.fill("input[name=allergen]", "Peanuts")
    page.fill("input[name=reaction]", "Hives")
    page.select_option("select[name=severity]", "severe")
    submit(page, "Add")
    page.wait_for_url(re.compile(r"/info/[0-9a-f-]{36}/$"))
    assert "Added to Mia's info bank." in page.content()
    # A medicine without a unit is refused beside the field.
    follow(page.get_by_role("link", name="Add medicine"))
    page.fill("input[name=name]", "Ibuprofen")
    page.fill("input[name=dose_amount]", "5")
    submit(page, "Add")
    expect(page.locator("#id_dose_unit_error")).to_be_visible()
    page.go_back()
    page.goto(page.url.split("add/")[0])
    follow(page.get_by_role("link", name="Add school"))
    page.fill("input[name=school]", "Oak Primary")
    submit(page, "Add")
    page.wait_for_url(re.compile(r"/info/[0-9a-f-]{36}/$"))
    assert no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "alex-infobank-390.png"), full_page=True)
    # The emergency card prints on one page, without the site's navigation.
    follow(page.get_by_role("link", name="Emergency card").first)
    page.wait_for_url(re.compile(r"/card/$"))
    page.emulate_media(media="print")
    expect(page.locator(".family-nav")).not_to_be_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 1, "one printed page"
    page.emulate_media(media="screen")

    # Sam is told, opens the news and reads the allergy with who set it and its history.
    wait_for_unread(sam_page, dashboard, at_least=2)  # both pieces of news delivered
    sam_page.goto(base + "/notifications/")
    # Two pieces of news, newest first: the school, then the allergy (its section says which).
    news = sam_page.get_by_role("button", name=re.compile("Alex added to Mia's info bank"))
    assert news.count() == 2
    item = news.last
    expect(item).to_be_visible()
    assert "Peanuts" not in sam_page.content()  # the news says where, never what
    follow(item)
    sam_page.wait_for_url(re.compile(r"/info/items/[0-9a-f-]{36}/$"))
    content = sam_page.content()
    assert "Peanuts" in content and "set by Alex" in content
    expect(sam_page.get_by_role("heading", name="History")).to_be_visible()
    # Sam adds what the reaction looked like last time: the history keeps Alex's words.
    follow(sam_page.get_by_role("link", name="Change", exact=True))
    sam_page.fill("input[name=reaction]", "Hives, swollen lips")
    submit(sam_page, "Save the change")
    history = sam_page.locator(".info-history")
    assert "Hives, swollen lips" in history.inner_text() and "by Alex" in history.inner_text()

    # Vic, the nanny, joins and opens Mia's emergency card.
    vic, vic_page = invite_and_join(
        browser, base, data_dir, page, dashboard, "Vic", "viewer", "Nanny"
    )
    vic_errors = console_errors(vic_page)
    follow(vic_page.get_by_role("link", name="Info bank").first)
    follow(vic_page.get_by_role("link", name="Emergency card").first)
    vic_page.wait_for_url(re.compile(r"/card/$"))
    card = vic_page.content()
    assert "Peanuts" in card and "Hives, swollen lips" in card
    assert "Oak Primary" not in card
    vic_page.goto(vic_page.url.replace("card/", ""))
    assert "Oak Primary" not in vic_page.content() and "Peanuts" in vic_page.content()
    assert not axe_violations(vic_page)
    vic_page.screenshot(path=str(screenshots / "vic-card-390.png"), full_page=True)
    assert not errors and not vic_errors
    for context in (alex, sam, vic):
        context.close()

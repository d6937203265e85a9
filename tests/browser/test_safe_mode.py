"""Safe mode in two real browsers (docs/safety.md): Sam keeps his home address with safe mode
on, the plan hands the children over at Sam's home, and Alex's calendar and exchange pages say
"Sam's home (address private)" — never the street — while Sam reads his own address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.steps import add_child, axe_violations, family_with_two_parents, follow, submit

pytestmark = pytest.mark.browser

STREET = "742 Evergreen Terrace"


def test_sam_turns_safe_mode_on_and_alex_never_reads_the_street(server, browser, screenshots):
    base, data_dir = server["url"], server["data_dir"]
    alex, page, sam, sam_page, dashboard = family_with_two_parents(browser, base, data_dir)
    add_child(page, dashboard, "Mia", "2016-05-02")
    start = (datetime.now(UTC) + timedelta(days=2)).date()

    # Sam keeps his address in the family, with safe mode on.
    sam_page.goto(dashboard + "settings/home/")
    sam_page.fill("textarea[name=address]", f"{STREET}\nSpringfield, OR 97403")
    sam_page.get_by_label(re.compile("Safe mode")).check()
    submit(sam_page, "Save")
    assert axe_violations(sam_page) == []

    # Alex proposes exchanges at Sam's home without ever reading the address; Sam accepts.
    page.goto(dashboard + "schedule/plan/")
    page.select_option("select[name=pattern]", "2-2-3")
    page.fill("input[name=start]", start.isoformat())
    page.fill("input[name=exchange_time]", "18:00")
    page.select_option("select[name=exchange_home]", "home:B")
    page.select_option("select[name=timezone]", "America/Chicago")
    page.fill("input[name=effective_from]", start.isoformat())
    submit(page, "Propose this plan")
    sam_page.goto(dashboard + "schedule/proposals/")
    submit(sam_page, "Accept")

    # Alex's calendar and exchanges: the label, never the street.
    seen = []
    for where in ("schedule/agenda/", "exchanges/", f"schedule/?month={start:%Y-%m}"):
        page.goto(dashboard + where)
        seen.append(page.content())
    page.goto(dashboard + "exchanges/")
    follow(page.locator("ul.cards.exchanges h3 a").first)  # the next exchange
    seen.append(page.content())
    page.screenshot(path=str(screenshots / "alex-exchange-at-sams.png"), full_page=True)
    assert all(STREET not in html and "97403" not in html for html in seen)
    assert "Sam’s home (address private)" in page.inner_text("main").replace("'", "’")

    # Sam reads his own address on the same exchange.
    sam_page.goto(page.url)
    assert STREET in sam_page.inner_text("main")

    alex.close()
    sam.close()

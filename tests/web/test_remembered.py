"""The family's navigation is rendered once per family, role and section and reused
(`{% remembered %}`, coparent/web/templatetags/remembered.py; issue #17 "The cost of a
request"): each member still sees the links of their own role, the section they are in, and
the unread count of the moment, whoever opened a page before them."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.utils import translation

from coparent.messaging import services
from tests.kit import client_for


def _nav(body: str) -> str:
    found = re.search(r'<nav class="family-nav".*?</nav>', body, re.S)
    assert found, body
    return found.group(0)


def _current(nav: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)<', nav)


def test_each_role_sees_its_own_links_and_section_whoever_came_first(cast):
    fam = f"/families/{cast.family.pk}"
    seen = {}
    # Turn by turn on the same process: the viewer and the mediator after the parents.
    for who, user in [
        ("alex", cast.alex),
        ("viewer", cast.viewer.user),
        ("mediator", cast.mediator.user),
        ("sam", cast.sam),
    ]:
        response = client_for(user).get(f"{fam}/schedule/")
        assert response.status_code == 200, (who, response.status_code)
        seen[who] = _nav(response.content.decode())
    assert "Journal" in seen["alex"] and "Expenses" in seen["alex"]
    assert "Shared with you" in seen["mediator"] and "Journal" not in seen["mediator"]
    for hidden in ("Expenses", "Messages", "Journal", "Members", "Record"):
        assert hidden not in seen["viewer"]
    assert seen["sam"] == seen["alex"]
    assert _current(seen["alex"]) == ["Calendar"]
    inbox = _nav(client_for(cast.alex).get(f"{fam}/messages/").content.decode())
    assert _current(inbox) == ["Messages"]
    assert _current(_nav(client_for(cast.alex).get(f"{fam}/schedule/").content.decode())) == [
        "Calendar"
    ]


def test_the_unread_count_beside_the_kept_links_is_of_the_moment(cast):
    fam = f"/families/{cast.family.pk}"
    sam = client_for(cast.sam)
    before = _nav(sam.get(f"{fam}/messages/").content.decode())
    assert "<span data-unread-number></span>" in before
    services.thread_start(
        access=cast.access(cast.alex), subject="Friday", topic="school", body="15:00?"
    )
    after = _nav(sam.get(f"{fam}/messages/").content.decode())
    assert "<span data-unread-number>1</span>" in after


def test_a_block_is_kept_per_key_and_language_and_not_for_other_values():
    template = Template(
        "{% load i18n remembered %}{% remembered key %}{{ key }}:{{ other }}:"
        "{% get_current_language as lang %}{{ lang }}{% endremembered %}"
    )
    assert template.render(Context({"key": "a", "other": 1})) == "a:1:en"
    # The same key: the kept text, whatever else changed (so nothing else may be inside).
    assert template.render(Context({"key": "a", "other": 2})) == "a:1:en"
    assert template.render(Context({"key": "b", "other": 2})) == "b:2:en"
    # True and 1 are equal as dictionary keys but are different keys here.
    assert template.render(Context({"key": 1, "other": 3})) == "1:3:en"
    assert template.render(Context({"key": True, "other": 4})) == "True:4:en"
    with translation.override("fr"):
        assert template.render(Context({"key": "a", "other": 5})) == "a:5:fr"
    # A value that is not plain text or a number is never a key: rendered each time.
    assert template.render(Context({"key": [1], "other": 6})) == "[1]:6:en"
    assert template.render(Context({"key": [1], "other": 7})) == "[1]:7:en"


def test_the_frames_kept_parts_leave_each_request_its_own(cast):
    # base.html keeps its head, links and footer rendered; the CSRF token of the log-out
    # form, the notification count and the address reminder stay each request's own.
    from coparent.accounts.models import User

    home = "/?all=1"
    User.objects.filter(pk=cast.sam.pk).update(email_confirmed_at=None)
    alex, sam = client_for(cast.alex), client_for(User.objects.get(pk=cast.sam.pk))
    for _ in range(2):
        pages = {who: c.get(home).content.decode() for who, c in (("alex", alex), ("sam", sam))}
        tokens = {
            who: re.search(
                r'action="/accounts/logout/" class="inline"><input type="hidden" '
                r'name="csrfmiddlewaretoken" value="([^"]+)"',
                body,
            )
            for who, body in pages.items()
        }
        assert all(tokens.values()), pages
        assert tokens["alex"].group(1) != tokens["sam"].group(1)
        assert "Please confirm your email address" in pages["sam"]
        assert "Please confirm your email address" not in pages["alex"]
        assert pages["alex"].count("/static/") == pages["sam"].count("/static/") >= 3
    anonymous = client_for(None).get("/accounts/login/").content.decode()
    assert "Log out" not in anonymous and "Sign up" in anonymous

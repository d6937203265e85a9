"""The signed-in home page (the families to choose from, and a professional's seats waiting for
consent) costs the same queries however many families a person belongs to (issue #17, point 8)."""

from __future__ import annotations

import pytest

from coparent.families.services import family_create
from tests.families.helpers import join
from tests.kit import client_for

# The counted visit: 1 the session, 2 its user, 3 the session list check, 4 the person's
# memberships with their families and whether they have a second factor
# (families.selectors.your_families), 5 the header's unread notifications; and for a
# professional, the parents of the families of his seats and their consents: two more, however
# many seats.
HOME_QUERIES = 5
PROFESSIONAL_QUERIES = 2


@pytest.mark.parametrize("more", [1, 6])
def test_the_home_page_costs_the_same_however_many_families(cast, more, django_assert_num_queries):
    # Olivia opens `more` family spaces of her own and asks Morgan into each as a mediator; she
    # has not consented yet, so they wait on his page.
    for i in range(more):
        family = family_create(user=cast.olivia, name=f"Okafor {i}")
        join(
            cast.access(cast.olivia, family),
            cast.morgan,
            "professional",
            professional_kind="mediator",
        )
    for person, extra in ((cast.olivia, 0), (cast.morgan, PROFESSIONAL_QUERIES)):
        browser = client_for(person)
        browser.get("/?all=1")  # the session's first visit notes the browser once
        with django_assert_num_queries(HOME_QUERIES + extra):
            page = browser.get("/?all=1")
        assert page.content.decode().count("Okafor ") >= more

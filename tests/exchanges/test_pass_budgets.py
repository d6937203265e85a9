"""Query budgets of the pickup passes (issue #17, point 8): the list in the API and on the passes
page cost the same for one pass as for six, some of them revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coparent.exchanges.models import PickupPass
from coparent.exchanges.services import pass_issue, pass_revoke
from coparent.schedule.selectors import schedule_of
from tests.api.conftest import AUTH_QUERIES, family_path


def _issue(cast, first, n):
    """`n` passes for Alex's first stay, every third one revoked by Sam."""
    planned, _, _ = first
    segments, _ = schedule_of(cast.access(cast.alex)).expand(planned, planned + timedelta(days=14))
    stay = next(s for s in segments if s.parent == "A" and s.end - s.start >= timedelta(hours=8))
    for i in range(n):
        issued = pass_issue(
            access=cast.access(cast.alex),
            children=[cast.mia.pk, cast.leo.pk] if i % 2 else [cast.mia.pk],
            start=stay.start + timedelta(minutes=i),
            end=stay.start + timedelta(hours=3),
        )
        if i % 3 == 2:
            pass_revoke(access=cast.access(cast.sam), pickup=issued)


@pytest.mark.parametrize("n", [1, 6])
def test_the_pass_list_costs_the_same_whatever_the_number(
    cast, first, as_, django_assert_num_queries, n
):
    _issue(cast, first, n)
    sam = as_(cast.sam)
    sam.get("/me")  # the token's once-a-minute "last used" write happens here
    # auth; 1 membership with its family (the access path); 2 the passes with who issued them
    # and their revocations (a pass carries its children's first names itself).
    with django_assert_num_queries(AUTH_QUERIES + 2):
        answer = sam.get(family_path(cast, "/passes"))
    assert answer.status_code == 200
    assert len(answer.json()) == n


@pytest.mark.parametrize("n", [1, 6])
def test_the_passes_page_costs_the_same_whatever_the_number(
    cast, first, django_assert_num_queries, n
):
    _issue(cast, first, n)
    browser = cast.client_for(cast.alex)
    url = f"/families/{cast.family.pk}/exchanges/passes/"
    browser.get(url)  # the session's first visit notes the browser once
    # 1 the session, 2 its user, 3 the session list check, 4 membership with its family (the
    # access path), 5 the children (the form that issues a pass), 6 the passes with who issued
    # them and their revocations, 7 the header's unread notifications.
    with django_assert_num_queries(7):
        page = browser.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("Revoked") >= n // 3


@pytest.mark.parametrize("n", [1, 6])
def test_a_pass_page_and_its_check_cost_the_same_whatever_the_number(
    cast, first, client, django_assert_num_queries, n
):
    _issue(cast, first, n)
    # The last pass issued: for Mia alone when it is the only one, for both children among six.
    issued = PickupPass.objects.filter(family=cast.family).order_by("-pk").first()
    browser = cast.client_for(cast.alex)
    url = f"/families/{cast.family.pk}/exchanges/passes/{issued.pk}/"
    browser.get(url)  # the session's first visit notes the browser once
    # 1 the session, 2 its user, 3 the session list check, 4 membership with its family (the
    # access path), 5 the pass (it carries its children's first names), 6 the header's unread
    # notifications.
    with django_assert_num_queries(6):
        page = browser.get(url)
    assert page.status_code == 200

    # The office opens the link without an account (the pass is in its signed token): 1-8 the
    # rate limit's counter in the database cache (its own transaction, read, the cache's size,
    # a savepoint around the write), 9 whether the pass was revoked, 10 the family's zone.
    with django_assert_num_queries(10):
        checked = client.get(f"/pass/{issued.token}/", secure=True)
    assert "Mia" in checked.content.decode()

"""Query budgets: the events page and the events endpoint cost the same for one event as for
fifty, with answers from both parents on every one (STYLE.md 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import resolve

from coparent.events import services
from tests.api.conftest import AUTH_QUERIES
from tests.events.conftest import add_party, soon, url
from tests.families.helpers import call_view


def _grow(cast, n):
    """`n` upcoming events, each answered by both parents, the odd ones for both children."""
    alex, sam = cast.access(cast.alex), cast.access(cast.sam)
    for i in range(n):
        start = soon(days=i + 1)
        event = add_party(
            cast,
            title=f"Event {i}",
            children=[cast.mia, cast.leo] if i % 2 else [cast.mia],
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        services.rsvp_set(access=alex, event=event, answer="yes")
        services.rsvp_set(access=sam, event=event, answer="maybe")


@pytest.mark.parametrize("n", [1, 50])
def test_the_events_page_runs_seven_queries_whatever_the_number(cast, django_assert_num_queries, n):
    _grow(cast, n)
    # 1 membership with its family and user (the access path), 2 the family's children (the
    # filter), 3 count of upcoming events, 4 this page of events with who added them, 5 their
    # children, 6 their answers with who gave them, 7 the header's unread notifications.
    with django_assert_num_queries(7):
        response = call_view(cast.sam, url(cast, "list"))
    assert response.status_code == 200
    assert b"Event 0" in response.content


@pytest.mark.parametrize("n", [1, 50])
def test_the_viewers_events_page_skips_the_answers(cast, django_assert_num_queries, n):
    _grow(cast, n)
    # The seven of a parent's page, less the answers a viewer does not see.
    with django_assert_num_queries(6):
        response = call_view(cast.vic, url(cast, "list"))
    assert b"Event 0" in response.content


@pytest.mark.parametrize("n", [1, 50])
def test_a_childs_filtered_list_costs_the_same(cast, django_assert_num_queries, n):
    _grow(cast, n)
    path = url(cast, "list")
    request = RequestFactory().get(path, {"child": str(cast.mia.pk)}, secure=True)
    request.user = cast.sam
    match = resolve(path)
    # The same seven: the child comes out of the children already loaded for the filter.
    with django_assert_num_queries(7):
        response = match.func(request, **match.kwargs)
    assert b"Event 0" in response.content


def test_the_event_page_runs_six_queries(cast, django_assert_num_queries):
    _grow(cast, 1)
    event = cast.family.child_events.get()
    # 1 membership (access path), 2 the event with who added it, 3 its children, 4 its answers
    # with who gave them, 5 the family's parents (each one's answer or "no answer yet"), 6 the
    # header's unread notifications.
    with django_assert_num_queries(6):
        response = call_view(cast.alex, url(cast, "detail", event))
    assert b"Sam" in response.content


@pytest.mark.parametrize("n", [1, 50])
def test_the_events_endpoint_runs_a_fixed_number_of_queries(
    cast, as_, django_assert_num_queries, n
):
    _grow(cast, n)
    sam = as_(cast.sam)
    path = f"/families/{cast.family.pk}/events"
    sam.get(path)  # the token's once-a-minute "last used" update happens here, not below
    # auth; 1 membership (access path); 2 count; 3 the page of events with who added them;
    # 4 their children; 5 their answers with who gave them.
    with django_assert_num_queries(AUTH_QUERIES + 5):
        response = sam.get(path, limit=100)
    assert response.json()["count"] == n
    assert len(response.json()["items"][0]["rsvps"]) == 2


@pytest.mark.parametrize("n", [1, 50])
def test_one_event_in_the_api_runs_a_fixed_number_of_queries(
    cast, as_, django_assert_num_queries, n
):
    _grow(cast, n)
    # The last event: for Mia alone when it is the only one, for both children among fifty.
    event = cast.family.child_events.get(title=f"Event {n - 1}")
    sam = as_(cast.sam)
    path = f"/families/{cast.family.pk}/events/{event.pk}"
    sam.get(path)  # the token's once-a-minute "last used" update happens here, not below
    # auth; 1 membership (access path); 2 the event with who added it; 3 its children; 4 its
    # answers with who gave them.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        response = sam.get(path)
    assert len(response.json()["rsvps"]) == 2

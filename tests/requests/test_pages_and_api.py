"""The request pages and the API: a parent asks through the form in the family's zone, the
other answers on the request's page, field errors come back beside the fields, and the list
costs the same for one request as for forty."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from coparent.requests import services
from coparent.requests.models import Request, RequestStatus
from coparent.schedule.feed import feed_document
from tests.api.conftest import AUTH_QUERIES
from tests.families.helpers import call_view
from tests.requests.conftest import ZONE, ask, local, today


def url(cast: Any, suffix: str = "") -> str:
    return f"/families/{cast.family.pk}/requests/{suffix}"


def test_alex_asks_for_a_swap_on_the_form_in_the_familys_zone(planned: Any) -> None:
    cast = planned
    browser = cast.client_for(cast.alex)
    day = today() + timedelta(days=9)
    page = browser.post(
        url(cast, "new/?kind=swap"),
        {
            "title": "Swap for the wedding",
            "details": "Cousin's wedding on Saturday.",
            "children": [str(cast.mia.pk), str(cast.leo.pk)],
            "custody_to": "me",
            "start_date": day.isoformat(),
            "start_time": "09:00",
            "end_date": (day + timedelta(days=1)).isoformat(),
            "end_time": "18:00",
        },
    )
    made = Request.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/requests/{made.pk}/")
    assert made.starts_at == local(day, 9) and made.ends_at == local(day + timedelta(days=1))
    assert made.starts_at is not None and made.starts_at.astimezone(ZONE).hour == 9
    shown = cast.client_for(cast.sam).get(url(cast, f"{made.pk}/")).content.decode()
    assert "Swap for the wedding" in shown and "Approve" in shown and "Decline" in shown


def test_the_form_shows_each_problem_beside_its_field(planned: Any) -> None:
    cast = planned
    browser = cast.client_for(cast.alex)
    trip = {"title": "Lake", "children": [str(cast.mia.pk)]}
    too_long = browser.post(url(cast, "new/?kind=trip"), {**trip, "details": "x" * 100_000})
    assert too_long.status_code == 200 and "details" in too_long.context["form"].errors
    page = browser.post(
        url(cast, "new/?kind=trip"),
        {**trip, "start_date": "2020-01-02", "end_date": "2020-01-01"},
    )
    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"start_date", "end_date", "destination"}
    assert not Request.objects.exists()


def test_sam_declines_on_the_page_and_a_missing_reason_is_said_beside_the_box(
    planned: Any,
) -> None:
    cast = planned
    swap = ask(cast, "swap")
    browser = cast.client_for(cast.sam)
    empty = browser.post(url(cast, f"{swap.pk}/decline/"), {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["decline_form"].errors
    done = browser.post(url(cast, f"{swap.pk}/decline/"), {"reason": "Work trip"})
    assert done.status_code == 302
    swap.refresh_from_db()
    assert swap.status == RequestStatus.DECLINED


def test_a_counter_from_the_page_goes_back_to_alex(planned: Any) -> None:
    cast = planned
    trip = ask(cast, "trip", title="Lake week", custody_to="me")
    day = today() + timedelta(days=20)
    page = cast.client_for(cast.sam).post(
        url(cast, f"{trip.pk}/counter/"),
        {
            "details": "The week after, please.",
            "start_date": day.isoformat(),
            "end_date": (day + timedelta(days=3)).isoformat(),
        },
    )
    counter = Request.objects.get(counter_of=trip)
    assert page.status_code == 302 and page["Location"].endswith(f"/requests/{counter.pk}/")
    assert counter.starts_at == local(day)
    shown = cast.client_for(cast.alex).get(url(cast, f"{counter.pk}/")).content.decode()
    assert "Approve" in shown


def _grow(cast: Any, n: int) -> None:
    for i in range(n):
        ask(cast, "other", title=f"Request {i}", children=[cast.mia, cast.leo])


@pytest.mark.parametrize("n", [1, 40])
def test_the_list_page_costs_the_same_whatever_the_number(
    planned: Any, django_assert_num_queries: Any, n: int
) -> None:
    cast = planned
    _grow(cast, n)
    # 1 membership with its family and user (the access path), 2 the count for the pager,
    # 3 this page of requests with their people, 4 their children, 5 the header's unread
    # notifications.
    with django_assert_num_queries(5):
        response = call_view(cast.sam, url(cast))
    assert response.status_code == 200
    assert f"Request {n - 1}".encode() in response.content


def test_the_request_page_costs_a_fixed_number_of_queries(
    planned: Any, django_assert_num_queries: Any
) -> None:
    cast = planned
    swap = ask(cast, "swap")
    for i in range(5):
        services.request_comment(access=cast.access(cast.sam), request=swap, text=f"Note {i}")
    # 1 the access path, 2 the request with its people, 3 its children, 4 its comments with
    # their authors, 5 what countered it, 6 the agreement's terms in force (for the warnings),
    # 7 the header's unread notifications.
    with django_assert_num_queries(7):
        response = call_view(cast.alex, url(cast, f"{swap.pk}/"))
    assert response.status_code == 200 and b"Note 4" in response.content


@pytest.mark.parametrize("n", [1, 40])
def test_the_list_endpoint_costs_the_same_whatever_the_number(
    planned: Any, as_: Any, django_assert_num_queries: Any, n: int
) -> None:
    cast = planned
    _grow(cast, n)
    api = as_(cast.sam)
    api.get(f"/families/{cast.family.pk}")  # the token's first use, outside the count
    # The access path, the count, the page of requests with their people, their children.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        found = api.get(f"/families/{cast.family.pk}/requests").json()
    assert found["count"] == n and len(found["items"]) == n


def test_the_api_makes_a_request_once_per_idempotency_key(planned: Any, as_: Any) -> None:
    cast = planned
    api = as_(cast.alex)
    body = {"kind": "trip", "title": "Lake", "children": [str(cast.mia.pk)]}
    start, end = local(today() + timedelta(days=10)), local(today() + timedelta(days=12))
    body.update(destination="Lake Geneva", starts_at=start.isoformat(), ends_at=end.isoformat())
    path = f"/api/v1/families/{cast.family.pk}/requests"
    first, again = (
        api.client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {api.token}", "Idempotency-Key": "trip-1"},
            secure=True,
        )
        for _ in range(2)
    )
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Request.objects.count() == 1
    bad = api.post(path, {**body, "starts_at": "2020-01-01T10:00:00Z"})
    assert bad.status_code == 400 and "starts_at" in bad.json()["errors"]


def _post_with_key(api: Any, path: str, body: dict[str, Any], key: str) -> Any:
    return api.client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={**api.headers(), "Idempotency-Key": key},
        secure=True,
    )


def test_a_counter_and_a_comment_sent_twice_with_one_key_are_made_once(
    planned: Any, as_: Any
) -> None:
    """Sam's phone loses the answer to his counter-proposal and sends it again; Morgan's
    proposed resolution is retried the same way. Each retry returns the first result."""
    cast = planned
    swap = ask(cast, "swap")
    base = f"/api/v1/families/{cast.family.pk}/requests/{swap.pk}"
    sam, morgan = as_(cast.sam), as_(cast.morgan)

    counter = {"details": "The weekend after instead?"}
    first, again = (_post_with_key(sam, f"{base}/counter", counter, "c-1") for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Request.objects.filter(counter_of=swap).count() == 1
    # Without the key a second counter is refused: the first one already answered.
    assert sam.post(f"{base}/counter", counter).status_code == 409

    note = {"text": "Alternate the next two weekends?", "kind": "resolution"}
    said, resaid = (_post_with_key(morgan, f"{base}/comments", note, "m-1") for _ in range(2))
    assert said.status_code == resaid.status_code == 201
    assert resaid.json()["id"] == said.json()["id"]
    assert swap.comments.count() == 1
    other = _post_with_key(morgan, f"{base}/comments", {**note, "text": "Other words"}, "m-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.content.decode()
    assert swap.comments.count() == 1
    kinds = list(
        cast.family.record_entries.filter(kind="request.commented").values_list("kind", flat=True)
    )
    assert kinds == ["request.commented"]


def test_the_api_answers_409_to_an_answer_that_came_too_late(planned: Any, as_: Any) -> None:
    cast = planned
    swap = ask(cast, "swap")
    services.request_withdraw(access=cast.access(cast.alex), request=swap)
    answer = as_(cast.sam).post(f"/api/v1/families/{cast.family.pk}/requests/{swap.pk}/approve", {})
    assert answer.status_code == 409 and "withdrawn" in answer.json()["detail"]
    own = as_(cast.alex).post(
        f"/api/v1/families/{cast.family.pk}/requests/{ask(cast, 'swap').pk}/approve", {}
    )
    assert own.status_code == 400


def test_an_approved_swap_changes_the_feed_and_its_etag(planned: Any) -> None:
    cast = planned
    before = feed_document(cast.access(cast.alex))
    swap = ask(cast, "swap", custody_to="other")
    services.request_approve(access=cast.access(cast.sam), request=swap)
    after = feed_document(cast.access(cast.alex))
    assert after.etag != before.etag and after.modified > before.modified
    trip = ask(
        cast,
        "trip",
        title="Grandma in Denver",
        starts_at=local(today() + timedelta(days=20)),
        ends_at=local(today() + timedelta(days=22)),
    )
    services.request_approve(access=cast.access(cast.sam), request=trip)
    assert "SUMMARY:Grandma in Denver" in feed_document(cast.access(cast.alex)).text


def test_the_home_page_names_the_requests_waiting_for_this_parent(planned: Any) -> None:
    from coparent.families.today import family_today

    cast = planned
    swap = ask(cast, "swap", title="Swap the 14th")
    waiting = [w for w in family_today(cast.access(cast.sam)).waiting if w.kind == "request"]
    assert [w.text for w in waiting] == ["Alex asks: “Swap the 14th”. It waits for your answer."]
    assert waiting[0].url.endswith(f"/requests/{swap.pk}/")
    # Not for the asker, nor for the mediator, who never answers one.
    for who in (cast.alex, cast.morgan):
        assert not [w for w in family_today(cast.access(who)).waiting if w.kind == "request"]


@pytest.mark.parametrize("n", [1, 8])
def test_one_request_in_the_api_costs_the_same_however_many_comments(
    planned: Any, as_: Any, django_assert_num_queries: Any, n: int
) -> None:
    cast = planned
    swap = ask(cast, "swap")
    for i in range(n):
        who = cast.sam if i % 2 else cast.alex
        services.request_comment(access=cast.access(who), request=swap, text=f"Note {i}")
    api = as_(cast.sam)
    api.get(f"/families/{cast.family.pk}")  # the token's first use, outside the count
    # auth; 1 the access path; 2 the request with its people; 3 its children; 4 its comments
    # with their authors; 5 what countered it; 6 the agreement's terms in force (the warnings).
    with django_assert_num_queries(AUTH_QUERIES + 6):
        found = api.get(f"/families/{cast.family.pk}/requests/{swap.pk}").json()
    assert len(found["comments"]) == n

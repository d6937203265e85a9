"""The calendar's query budget, and the schedule API as a script would use it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coparent.events.services import event_add
from coparent.schedule.services import plan_accept, plan_propose
from tests.api.conftest import AUTH_QUERIES
from tests.schedule.conftest import plan_data


def story(cast, soon, n: int) -> None:
    """`n` accepted plan versions (one a week, alternating patterns) and `n` child events."""
    for i in range(n):
        version = plan_propose(
            access=cast.access(cast.alex),
            plan=plan_data(pattern="2-2-3" if i % 2 else "5-2"),
            effective_from=soon + timedelta(days=7 * i),
        )
        plan_accept(access=cast.access(cast.sam), version=version)
    start = timezone.now() + timedelta(days=5)
    for i in range(n):
        event_add(
            access=cast.access(cast.alex),
            title=f"Game {i}",
            kind="sports",
            children=[cast.mia],
            timezone_name="America/Chicago",
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i + 1),
            notify=False,
        )


@pytest.mark.parametrize("n", [1, 30])
def test_the_month_view_costs_the_same_whatever_the_history(
    cast, soon, n, django_assert_num_queries
):
    story(cast, soon, n)
    client = cast.client_for(cast.sam)
    month = (timezone.now() + timedelta(days=5)).strftime("%Y-%m")
    url = f"/families/{cast.family.pk}/schedule/?month={month}"
    client.get(url)
    # the session, the user, the user's session row (session tracking), the membership with
    # its family (the access path), the accepted versions, the parents with their homes (the
    # exchange place as Sam may read it: safe mode), the events with their creators, their
    # children, their RSVPs, the header's unread notifications.
    with django_assert_num_queries(10):
        page = client.get(url)
    assert page.content.decode().count("Game ") >= n


@pytest.mark.parametrize("n", [1, 30])
def test_the_calendar_api_costs_the_same_whatever_the_history(
    cast, as_, soon, n, django_assert_num_queries
):
    story(cast, soon, n)
    caller = as_(cast.vic)
    path = f"/families/{cast.family.pk}/calendar"
    query = {"from": soon.isoformat(), "to": (soon + timedelta(days=7 * n + 14)).isoformat()}
    caller.get(path, **query)
    # the token with its user, the membership with family, the accepted versions, the parents
    # with their homes (the exchange place, safe mode), the events, their children (no RSVPs
    # for a viewer).
    with django_assert_num_queries(AUTH_QUERIES + 5):
        response = caller.get(path, **query)
    body = response.json()
    assert response.status_code == 200
    assert len(body["events"]) == n
    assert body["segments"][0]["start"].startswith(soon.isoformat()[:4])
    assert body["exchanges"] and {"at", "from_name", "to_name", "place"} <= set(
        body["exchanges"][0]
    )


def test_a_parent_proposes_through_the_api_and_bad_plans_name_their_fields(cast, as_, soon):
    alex = as_(cast.alex)
    path = f"/families/{cast.family.pk}/plans"
    bad = plan_data(timezone="Mars/Base", pattern="2-2-4")
    refused = alex.post(path, {"plan": bad, "effective_from": soon.isoformat()})
    assert refused.status_code == 400
    assert {"timezone", "pattern"} <= set(refused.json()["errors"])

    made = alex.post(path, {"plan": plan_data(), "effective_from": soon.isoformat()})
    assert made.status_code == 201 and made.json()["status"] == "proposed"
    version = made.json()["id"]
    assert as_(cast.sam).post(f"{path}/{version}/decline", {"reason": ""}).status_code == 400
    accepted = as_(cast.sam).post(f"{path}/{version}/accept")
    assert accepted.json()["status"] == "accepted"

    share = as_(cast.morgan).get(
        f"/families/{cast.family.pk}/timeshare",
        **{"from": soon.isoformat(), "to": (soon + timedelta(days=14)).isoformat()},
    )
    methods = {m["method"]: m for m in share.json()["methods"]}
    assert set(methods) == {"overnights", "hours", "days"}
    assert sum(methods["overnights"]["counts"].values()) == 14
    assert sum(methods["hours"]["percent"].values()) == pytest.approx(100)


def test_the_preview_answers_without_saving(cast, as_, soon):
    response = as_(cast.alex).post(
        f"/families/{cast.family.pk}/plans/preview",
        {
            "plan": plan_data(),
            "from": soon.isoformat(),
            "to": (soon + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.json()["segments"] and len(response.json()["timeshare"]) == 3
    bad = as_(cast.alex).post(
        f"/families/{cast.family.pk}/plans/preview",
        {"plan": plan_data(rotation="ABX", pattern=None), "from": "2040-01-01", "to": "2040-02-01"},
    )
    assert bad.status_code == 400 and "rotation" in bad.json()["errors"]


@pytest.mark.parametrize("n", [1, 30])
def test_a_day_of_the_calendar_costs_the_same_whatever_the_history(
    cast, soon, n, django_assert_num_queries
):
    story(cast, soon, n)
    client = cast.client_for(cast.sam)
    day = (timezone.now() + timedelta(days=5)).date()
    url = f"/families/{cast.family.pk}/schedule/day/{day.isoformat()}/"
    client.get(url)
    # As the month: the session, the user, the user's session row, the membership with its
    # family, the accepted versions, the parents with their homes (safe mode), the events with
    # their creators, children and RSVPs; and the header's unread notifications.
    with django_assert_num_queries(10):
        page = client.get(url)
    assert "Game 0" in page.content.decode()


def test_a_day_says_who_has_the_children_when_and_each_exchange_in_words(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=version)
    from coparent.families.services import family_zone_set

    family_zone_set(access=cast.access(cast.alex), timezone_name="America/Chicago")
    # 2-2-3 from 2027-01-04: whichever day `soon` is, within a fortnight some day has an
    # exchange; find it on the days' pages as a parent would, by opening them.
    client = cast.client_for(cast.vic)
    for offset in range(14):
        day = soon + timedelta(days=offset)
        text = client.get(f"/families/{cast.family.pk}/schedule/day/{day}/").content.decode()
        if "hands over to" in text:
            break
    else:
        raise AssertionError("no exchange in a fortnight of 2-2-3")
    assert "Who has the children" in text
    words = re.sub(r"<[^>]+>", "", text)  # as read, without the markup
    assert re.search(r"Alex\s+until 6:00\u202fPM", words) or re.search(
        r"Sam\s+until 6:00\u202fPM", words
    )
    assert re.search(r"from 6:00\u202fPM", words)
    assert "Lincoln Elementary, front door" in text
    assert f"/schedule/day/{day - timedelta(days=1)}/" in text  # the day before, a tap away


@pytest.mark.parametrize("day", ["2027-02-30", "tomorrow", "1900-12-31", "2198-12-31", "9" * 30])
def test_a_day_that_cannot_be_is_not_found(cast, day):
    response = cast.client_for(cast.alex).get(f"/families/{cast.family.pk}/schedule/day/{day}/")
    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 8])
def test_the_plan_list_costs_the_same_whatever_the_history(
    cast, as_, soon, n, django_assert_num_queries
):
    story(cast, soon, n)
    sam = as_(cast.sam)
    path = f"/families/{cast.family.pk}/plans"
    sam.get(path)  # the token's once-a-minute "last used" write happens here
    # auth; 1 the membership with its family (the access path), 2 every version with who
    # proposed and who answered it.
    with django_assert_num_queries(AUTH_QUERIES + 2):
        response = sam.get(path)
    assert response.status_code == 200
    assert len(response.json()) >= n


# --- The agenda, the plan editor and the time-share (issue #17, point 8) ----------------------


@pytest.mark.parametrize("n", [1, 30])
def test_the_agenda_costs_the_same_whatever_the_history(cast, soon, n, django_assert_num_queries):
    story(cast, soon, n)
    client = cast.client_for(cast.sam)
    url = f"/families/{cast.family.pk}/schedule/agenda/"
    client.get(url)
    # the month view's nine: the session, the user, the session row, the membership, the
    # accepted versions, the events with their creators, their children, their RSVPs, the
    # header's unread notifications; and the parents with their homes, which name the
    # exchanges' places (safe mode, families.selectors.HomePlaces).
    with django_assert_num_queries(10):
        page = client.get(url)
    assert page.content.decode().count("Game ") >= n


@pytest.mark.parametrize("n", [1, 30])
def test_the_plan_editor_costs_the_same_whatever_the_history(
    cast, soon, n, django_assert_num_queries
):
    story(cast, soon, n)
    client = cast.client_for(cast.alex)
    url = f"/families/{cast.family.pk}/schedule/plan/"
    client.get(url)
    # the session, the user, the session row, the membership, the accepted versions (the plan
    # in force), the parents with their homes (a home's address typed as the place is offered
    # as the home, docs/safety.md), the children, the parents (their names), the header's
    # unread notifications.
    with django_assert_num_queries(9):
        page = client.get(url)
    assert page.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_the_timeshare_costs_the_same_whatever_the_history(
    cast, as_, soon, n, django_assert_num_queries
):
    story(cast, soon, n)
    period = {"from": soon.isoformat(), "to": (soon + timedelta(days=7 * n + 14)).isoformat()}
    client = cast.client_for(cast.sam)
    url = f"/families/{cast.family.pk}/schedule/timeshare/"
    form = {"start": period["from"], "end": period["to"]}
    client.get(url, form)
    # the session, the user, the session row, the membership, the accepted versions, the
    # header's unread notifications.
    with django_assert_num_queries(6):
        page = client.get(url, form)
    assert page.status_code == 200

    caller = as_(cast.morgan)
    path = f"/families/{cast.family.pk}/timeshare"
    caller.get(path, **period)
    # the token with its user, the membership with family, the parents and their consents (a
    # mediator's access), the accepted versions.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        response = caller.get(path, **period)
    assert response.status_code == 200

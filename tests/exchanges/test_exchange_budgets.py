"""Query budgets of the exchanges (issue #17, point 8): the list and one exchange in the API, and
the planned-beside-actual page and endpoint, cost the same whether the parents checked in at one
exchange or at several, with notes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from coparent.exchanges import selectors
from coparent.exchanges.selectors import key_of
from coparent.exchanges.services import check_in, note_add
from tests.api.conftest import AUTH_QUERIES, family_path

CHICAGO = ZoneInfo("America/Chicago")


def _handovers(cast, first, n):
    """The first `n` exchanges of the plan, each handed over, received and noted by both
    parents; returns their times."""
    planned, _, _ = first
    rows = selectors.exchanges_between(
        cast.access(cast.alex), planned, planned + timedelta(days=30)
    )[:n]
    assert len(rows) == n
    for row in rows:
        giver = cast.alex if row.giver_name == "Alex" else cast.sam
        receiver = cast.sam if giver == cast.alex else cast.alex
        at = row.planned_at + timedelta(minutes=5)
        check_in(access=cast.access(giver), planned_at=row.planned_at, step="handed_over", at=at)
        check_in(access=cast.access(receiver), planned_at=row.planned_at, step="received", at=at)
        for who in (giver, receiver):
            note_add(access=cast.access(who), planned_at=row.planned_at, text="On time.", at=at)
    return [row.planned_at for row in rows]


def _period(planned):
    """Local dates around the first month of the plan, for the planned-beside-actual reads."""
    first = planned.astimezone(CHICAGO).date() - timedelta(days=2)
    return first, first + timedelta(days=32)


@pytest.mark.parametrize("n", [1, 6])
def test_the_exchange_list_costs_the_same_however_many_check_ins(
    cast, first, as_, django_assert_num_queries, n
):
    planned, _, _ = first
    _handovers(cast, first, n)
    sam = as_(cast.sam)
    path = family_path(cast, "/exchanges")
    window = {"from": planned.isoformat(), "to": (planned + timedelta(days=30)).isoformat()}
    sam.get(path, **window)  # the token's once-a-minute "last used" write happens here
    # auth; 1 membership (the access path); 2 the plan's versions; 3 the parents (their names);
    # 4 the exchanges' occurrences; 5 their check-ins; 6 their notes; 7 the notes' photos.
    with django_assert_num_queries(AUTH_QUERIES + 7):
        answer = sam.get(path, **window)
    assert answer.status_code == 200
    assert sum(len(row["notes"]) for row in answer.json()) == 2 * n


@pytest.mark.parametrize("n", [1, 6])
def test_one_exchange_costs_the_same_however_many_check_ins(
    cast, first, as_, django_assert_num_queries, n
):
    times = _handovers(cast, first, n)
    sam = as_(cast.sam)
    path = family_path(cast, f"/exchanges/{key_of(times[-1])}")
    sam.get(path)
    # The list's seven, for one occurrence.
    with django_assert_num_queries(AUTH_QUERIES + 7):
        answer = sam.get(path)
    assert answer.status_code == 200
    assert len(answer.json()["notes"]) == 2


@pytest.mark.parametrize("n", [1, 6])
def test_planned_beside_actual_costs_the_same_however_many_check_ins(
    cast, first, as_, time_machine, django_assert_num_queries, n
):
    planned, _, _ = first
    _handovers(cast, first, n)
    time_machine.move_to(planned + timedelta(days=40), tick=False)
    start, stop = _period(planned)
    sam = as_(cast.sam)
    path = family_path(cast, "/timeshare/actual")
    window = {"from": start.isoformat(), "to": stop.isoformat()}
    sam.get(path, **window)
    # The list's seven (the exchanges of the period, whose plan versions serve the planned
    # side too: they are read once).
    with django_assert_num_queries(AUTH_QUERIES + 7):
        answer = sam.get(path, **window)
    assert answer.status_code == 200

    browser = cast.client_for(cast.sam)
    url = f"/families/{cast.family.pk}/exchanges/actual/"
    period = {"start": start.isoformat(), "end": stop.isoformat()}
    browser.get(url, period)  # the session's first visit notes the browser once
    # 1 the session, 2 its user, 3 the session list check, then the endpoint's seven (the
    # membership first), and 11 the header's unread notifications.
    with django_assert_num_queries(11):
        page = browser.get(url, period)
    assert page.status_code == 200

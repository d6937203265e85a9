"""Story 7, "Is it really 50/50?": the time-share as planned beside what happened, with each
difference and why, settled by the check-ins rather than by either parent's memory."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from coparent.exchanges import selectors
from coparent.exchanges.services import check_in

CHICAGO = ZoneInfo("America/Chicago")


def _period(planned):
    first = planned.astimezone(CHICAGO).date() - timedelta(days=2)
    return first, first + timedelta(days=14)


def test_a_missed_exchange_moves_the_time_to_the_parent_who_kept_the_children(cast, first):
    planned, giver, receiver = first
    check_in(access=cast.access(receiver), planned_at=planned, step="arrived", at=planned)
    start, stop = _period(planned)
    later = planned + timedelta(days=20)

    shown = selectors.planned_and_actual(cast.access(giver), start, stop, CHICAGO, now=later)

    hours = {row.name: row for row in shown.rows if row.method == "hours"}
    kept = hours[giver.display_name]
    assert kept.actual > kept.planned and kept.moved == -hours[receiver.display_name].moved
    assert len(shown.reasons) == 1 and shown.reasons[0].startswith("Missed exchange on")
    assert f"stayed with {giver.display_name}" in shown.reasons[0]
    assert shown.chart is not None and len(shown.chart.bars) == 2


def test_a_late_handover_moves_the_boundary_by_the_minutes_late(cast, first):
    planned, giver, receiver = first
    late = planned + timedelta(minutes=40)
    check_in(access=cast.access(giver), planned_at=planned, step="handed_over", at=late)
    check_in(access=cast.access(receiver), planned_at=planned, step="received", at=late)
    start, stop = _period(planned)

    shown = selectors.planned_and_actual(
        cast.access(receiver), start, stop, CHICAGO, now=planned + timedelta(days=20)
    )

    hours = {row.name: row for row in shown.rows if row.method == "hours"}
    assert hours[giver.display_name].moved == round(40 / 60, 2)
    assert "(40 minutes late)" in shown.reasons[0]
    assert [r[1:] for r in shown.summary_rows] == [(0, 1, 0), (0, 1, 0)]


def test_nothing_recorded_means_actual_equals_planned(cast, first):
    planned, giver, _ = first
    start, stop = _period(planned)
    shown = selectors.planned_and_actual(
        cast.access(giver), start, stop, CHICAGO, now=planned + timedelta(days=20)
    )
    assert all(row.moved == 0 for row in shown.rows) and not shown.reasons


def test_the_page_shows_the_chart_and_refuses_a_backwards_period(cast, first, time_machine):
    planned, giver, receiver = first
    check_in(access=cast.access(receiver), planned_at=planned, step="arrived", at=planned)
    time_machine.move_to(planned + timedelta(days=3), tick=False)
    browser = cast.client_for(giver)
    url = f"/families/{cast.family.pk}/exchanges/actual/"

    page = browser.get(url).content.decode()
    assert "<svg" in page and "Missed exchange on" in page

    refused = browser.get(url, {"start": "2030-05-02", "end": "2030-05-01"})
    assert refused.status_code == 400 and "The end must come after the start." in (
        refused.content.decode()
    )
    assert cast.client_for(cast.vic).get(url).status_code == 403


def test_the_api_gives_the_same_figures(cast, first, as_):
    planned, giver, receiver = first
    check_in(access=cast.access(receiver), planned_at=planned, step="arrived", at=planned)
    start, stop = _period(planned)
    answer = as_(giver).get(f"/families/{cast.family.pk}/timeshare/actual?from={start}&to={stop}")
    assert answer.status_code == 200
    body = answer.json()
    assert {s["method"] for s in body["shares"]} == {"overnights", "hours"}
    assert body["first"] == start.isoformat()
    refused = as_(giver).get(
        f"/families/{cast.family.pk}/timeshare/actual?from=2030-01-01&to=2032-01-01"
    )
    assert refused.status_code == 400 and "to" in refused.json()["errors"]


def test_a_period_without_a_plan_says_there_is_nothing_to_compare(cast):
    browser = cast.client_for(cast.alex)
    page = browser.get(f"/families/{cast.family.pk}/exchanges/actual/")
    assert page.status_code == 200
    assert "No parenting plan is in force in this period" in page.content.decode()

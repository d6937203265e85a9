"""An exchange that an approved swap or trip took out of the plan is "changed by a request" on
the exchanges pages and in the month summary, never "missed" nor "not recorded"; the time-share
already follows the change."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from coparent.core.schedule.outcome import Kind
from coparent.exchanges import selectors
from coparent.exchanges.services import check_in
from coparent.schedule.services import override_add

CHICAGO = ZoneInfo("America/Chicago")


def _swap_away(cast, planned, row):
    """The giver keeps the children a day longer, as an approved swap decided."""
    override_add(
        access=cast.access(cast.alex),
        start=planned - timedelta(hours=1),
        end=planned + timedelta(days=1),
        parent=row.from_parent,
        label="Swap: Alex's work trip",
        origin="request:test",
    )


def test_the_exchange_a_swap_took_away_reads_changed_by_a_request(cast, first):
    planned, giver, _ = first
    access = cast.access(giver)
    (before,) = [r for r in selectors.exchanges_between(access, planned, planned + timedelta(1))]
    _swap_away(cast, planned, before)

    later = planned + timedelta(days=10)
    rows = selectors.exchanges_between(
        access, planned - timedelta(hours=2), planned + timedelta(days=2), now=later
    )

    (gone,) = [r for r in rows if r.planned_at == planned]
    assert not gone.in_plan and gone.changed_by == "Swap: Alex's work trip"
    assert gone.outcome is not None and gone.outcome.kind is Kind.CHANGED
    # The hand-over now happens when the swap ends, a planned exchange like any other.
    assert any(r.in_plan and r.planned_at == planned + timedelta(days=1) for r in rows)

    browser = cast.client_for(giver)
    listed = browser.get(f"/families/{cast.family.pk}/exchanges/").content.decode()
    assert "Changed by a request" in listed and "Swap: Alex&#x27;s work trip" in listed
    shown = browser.get(f"/families/{cast.family.pk}/exchanges/{gone.key}/").content.decode()
    assert "An approved change took this exchange out of the plan" in shown


def test_the_api_gives_each_exchange_its_outcome_and_what_changed_it(
    cast, first, as_, time_machine
):
    planned, giver, receiver = first
    (before,) = selectors.exchanges_between(cast.access(giver), planned, planned + timedelta(1))
    _swap_away(cast, planned, before)
    time_machine.move_to(planned + timedelta(minutes=5), tick=False)

    listed = as_(receiver).get(f"/families/{cast.family.pk}/exchanges").json()

    (gone,) = [x for x in listed if x["key"] == before.key]
    assert gone["in_plan"] is False and gone["changed_by"] == "Swap: Alex's work trip"
    assert gone["outcome"] == {
        "kind": "changed",
        "phase": None,
        "minutes_late": None,
        "completed_at": None,
    }
    assert all(x["outcome"] is None for x in listed if x["key"] != before.key)


def test_a_tap_recorded_before_the_swap_stays_and_the_exchange_still_reads_changed(cast, first):
    planned, giver, receiver = first
    access = cast.access(giver)
    (before,) = selectors.exchanges_between(access, planned, planned + timedelta(1))
    check_in(access=cast.access(receiver), planned_at=planned, step="arrived", at=planned)
    _swap_away(cast, planned, before)

    (gone,) = [
        r
        for r in selectors.exchanges_between(
            access, planned, planned + timedelta(hours=1), now=planned + timedelta(days=3)
        )
    ]
    assert gone.occurrence is not None and [c.step for c in gone.check_ins] == ["arrived"]
    assert gone.outcome is not None and gone.outcome.kind is Kind.CHANGED


def test_the_month_summary_counts_the_changed_exchange_and_the_share_follows_the_plan(cast, first):
    planned, giver, _ = first
    (before,) = selectors.exchanges_between(cast.access(giver), planned, planned + timedelta(1))
    _swap_away(cast, planned, before)
    first_day = planned.astimezone(CHICAGO).date() - timedelta(days=2)

    shown = selectors.planned_and_actual(
        cast.access(giver),
        first_day,
        first_day + timedelta(days=14),
        CHICAGO,
        now=planned + timedelta(days=20),
    )

    assert shown.summary.changed == 1
    assert all(row.moved == 0 for row in shown.rows) and not shown.reasons

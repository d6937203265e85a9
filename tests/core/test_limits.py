"""The bounds on what people send (coparent.core.limits) hold inside what the engine and the
databases can take, so a request at either edge is answered, never an overflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from coparent.core.limits import DB_INT_MAX, FIRST_DATE, LAST_DATE, date_in_range
from coparent.core.schedule import expand_dates, plan_timeshare
from coparent.core.schedule.model import END_DATE as ENGINE_END
from coparent.core.schedule.model import FIRST_DATE as ENGINE_FIRST
from tests.core.schedule.plans import plan

# The most a page or an operation adds around a date it is given: the month grid's week on
# either side; the agenda's 42 days, a month of calendar or a year of time-share after it (the
# API's default `to` is at most the 28th of the month a year on, counted to the day after).
AROUND = timedelta(days=7)
AHEAD = timedelta(days=362)


def test_the_accepted_years_sit_a_year_inside_the_engine_on_each_side():
    assert FIRST_DATE.year - ENGINE_FIRST.year >= 1
    assert ENGINE_END.year - LAST_DATE.year >= 1
    assert DB_INT_MAX == 9_223_372_036_854_775_807  # SQLite INTEGER, PostgreSQL bigint


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_the_engine_expands_and_counts_around_both_edges(zone):
    the_plan = plan(timezone=zone, start=FIRST_DATE)
    early = expand_dates(the_plan, FIRST_DATE - AROUND, FIRST_DATE + AHEAD)
    late = expand_dates(the_plan, LAST_DATE - AHEAD, LAST_DATE + AHEAD)
    assert early.segments and late.segments
    share = plan_timeshare(the_plan, LAST_DATE - AHEAD, LAST_DATE + AHEAD)
    assert sum(share.tallies["overnights"].rounded(2).values()) == (2 * AHEAD).days


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (FIRST_DATE, True),
        (LAST_DATE, True),
        (FIRST_DATE - timedelta(days=1), False),
        (LAST_DATE + timedelta(days=1), False),
        (date(9999, 12, 31), False),
        (date(1, 1, 1), False),
        (datetime(2198, 12, 31, 23, 0), True),  # noqa: DTZ001 - no offset: read as it is
        # 2198-12-31 23:00 at UTC-5 is already 2199 in UTC.
        (datetime(2198, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), False),
        (datetime(1901, 1, 1, 5, 0, tzinfo=timezone(timedelta(hours=14))), False),
        (datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), False),
        (datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5))), False),
        (datetime(2040, 6, 1, 12, 0, tzinfo=UTC), True),
    ],
)
def test_a_date_or_a_moment_is_in_range_by_its_own_and_its_utc_date(value, accepted):
    assert date_in_range(value) is accepted

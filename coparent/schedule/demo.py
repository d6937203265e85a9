"""The schedule chapter of the demo stories (coparent/cli/demo_data.py): each family agrees a
plan with holidays early on, and a change later, through the same services a parent would use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from coparent.families.selectors import FamilyAccess
from coparent.schedule.selectors import parent_names
from coparent.schedule.services import plan_accept, plan_propose


def us_plan(access: FamilyAccess, start: date) -> dict[str, Any]:
    """2-2-5-5 in Chicago, Thanksgiving and Christmas alternating by year."""
    return {
        "timezone": "America/Chicago",
        "parents": list(parent_names(access)),
        "start": start.isoformat(),
        "exchange_time": "17:30",
        "pattern": "2-2-5-5",
        "exchange_place": "Roosevelt Elementary, front office",
        "country": "US",
        "holiday": [
            {
                "name": "Thanksgiving",
                "date": "Thanksgiving",
                "start": "-1d 17:30",
                "end": "+3d 17:30",
                "odd_years": "B",
                "even_years": "A",
            },
            {
                "name": "Christmas Eve",
                "date": "12-24",
                "start": "+0d 10:00",
                "end": "+1d 10:00",
                "odd_years": "A",
                "even_years": "B",
            },
            {
                "name": "Christmas Day",
                "date": "12-25",
                "start": "+0d 10:00",
                "end": "+1d 10:00",
                "odd_years": "B",
                "even_years": "A",
            },
            {
                "name": "Mother's Day",
                "date": "Mother's Day",
                "start": "+0d 09:00",
                "end": "+0d 19:00",
                "odd_years": "B",
                "even_years": "B",
            },
        ],
    }


def uk_plan(access: FamilyAccess, start: date) -> dict[str, Any]:
    """Alternating weeks in London, with Christmas Day and Boxing Day alternating."""
    return {
        "timezone": "Europe/London",
        "parents": list(parent_names(access)),
        "start": start.isoformat(),
        "exchange_time": "18:00",
        "pattern": "alternating-weeks",
        "exchange_place": "St Mary's Primary, school gate",
        "country": "GB",
        "holiday": [
            {
                "name": "Christmas Day",
                "date": "12-25",
                "start": "-1d 18:00",
                "end": "+0d 15:00",
                "odd_years": "A",
                "even_years": "B",
            },
            {
                "name": "Boxing Day",
                "date": "12-26",
                "start": "+0d 10:00",
                "end": "+1d 18:00",
                "odd_years": "B",
                "even_years": "A",
            },
        ],
    }


def agree(
    *,
    proposer: FamilyAccess,
    answerer: FamilyAccess,
    plan: dict[str, Any],
    effective_from: date,
    proposed_at: datetime,
    accepted_at: datetime,
    note: str = "",
) -> None:
    version = plan_propose(
        access=proposer, plan=plan, effective_from=effective_from, note=note, at=proposed_at
    )
    plan_accept(access=answerer, version=version, at=accepted_at)

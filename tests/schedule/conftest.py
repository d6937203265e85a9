"""Plans the schedule tests share: the Rivera family's 2-2-3 plan in Chicago."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

CHICAGO = "America/Chicago"


def plan_data(**changes: Any) -> dict[str, Any]:
    plan = {
        "timezone": CHICAGO,
        "parents": ["Alex", "Sam"],
        "start": "2027-01-04",
        "exchange_time": "18:00",
        "pattern": "2-2-3",
        "exchange_place": "Lincoln Elementary, front door",
        "country": "US",
        "holiday": [
            {
                "name": "Thanksgiving",
                "date": "Thanksgiving",
                "start": "-1d 18:00",
                "end": "+3d 18:00",
                "odd_years": "B",
                "even_years": "A",
            }
        ],
    }
    plan.update(changes)
    return plan


def today() -> date:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(CHICAGO)).date()


@pytest.fixture
def soon() -> date:
    """A date a little ahead, so proposals are never in the past."""
    return today() + timedelta(days=3)

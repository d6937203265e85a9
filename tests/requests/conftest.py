"""The Rivera family with an accepted 2-2-3 plan in Chicago, and helpers to ask things."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from coparent.requests import services
from coparent.requests.models import Request
from coparent.schedule.services import plan_accept, plan_propose
from tests.schedule.conftest import CHICAGO, plan_data

ZONE = ZoneInfo(CHICAGO)


def local(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def today() -> date:
    return timezone.now().astimezone(ZONE).date()


@pytest.fixture
def planned(cast: Any) -> Any:
    """The family's plan accepted from tomorrow (its time zone is the family's too)."""
    cast.family.timezone = CHICAGO
    cast.family.save(update_fields=["timezone"])
    version = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(start=today().isoformat()),
        effective_from=today() + timedelta(days=1),
    )
    plan_accept(access=cast.access(cast.sam), version=version)
    return cast


def ask(cast: Any, kind: str = "swap", who: Any = None, **fields: Any) -> Request:
    """`who` (Alex by default) asks; a swap over days 10 to 12 from today unless told."""
    start = fields.pop("starts_at", local(today() + timedelta(days=10)))
    end = fields.pop("ends_at", local(today() + timedelta(days=12)))
    values: dict[str, Any] = {
        "title": f"A {kind}",
        "details": "",
        "children": [cast.mia],
    }
    if kind in ("swap", "trip"):
        values.update(starts_at=start, ends_at=end)
    if kind == "trip":
        values.setdefault("destination", "Denver")
    values.update(fields)
    return services.request_make(access=cast.access(who or cast.alex), kind=kind, **values)

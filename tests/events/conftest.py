"""Shared pieces for the child-event tests: the cast adds events through the services, and
the pages render as in production."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from coparent.events import services
from coparent.events.models import ChildEvent
from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)


@pytest.fixture(autouse=True)
def _pages(pages):  # noqa: F811
    """Pages render as in production (static files found without collectstatic)."""


def clock(*parts: int) -> datetime:
    """A clock time as a parent types it: naive on purpose, the event's zone gives it meaning."""
    return datetime(*parts)  # noqa: DTZ001 - local time, read in the event's own zone


def soon(days: int = 30, hour: int = 15) -> datetime:
    """The clock time `hour`:00 on the day `days` from now."""
    day = (timezone.now() + timedelta(days=days)).date()
    return clock(day.year, day.month, day.day, hour, 0)


def add_party(cast: Any, by: Any = None, **overrides: Any) -> ChildEvent:
    """`by` (Alex unless said) adds Mia's birthday party, a month from now, 15:00-17:30 in
    Paris."""
    start = overrides.pop("starts_at", soon())
    arguments: dict[str, Any] = {
        "title": "Mia's birthday party",
        "kind": "birthday_party",
        "children": [cast.mia],
        "timezone_name": "Europe/Paris",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2, minutes=30),
        "place": "Funtime Play Centre",
        "notes": "Bring a swimsuit.",
        **overrides,
    }
    return services.event_add(access=cast.access(by or cast.alex), **arguments)


def url(cast: Any, name: str, event: ChildEvent | None = None, family: Any = None) -> str:
    kwargs: dict[str, Any] = {"family_id": (family or cast.family).pk}
    if event is not None:
        kwargs["event_id"] = event.pk
    return reverse(f"events:{name}", kwargs=kwargs)


def form_data(cast: Any, **overrides: Any) -> dict[str, Any]:
    """What a parent types into the add form for Mia's party."""
    day = soon().date().isoformat()
    return {
        "title": "Mia's birthday party",
        "children": [str(cast.mia.pk)],
        "kind": "birthday_party",
        "start_date": day,
        "start_time": "15:00",
        "end_time": "17:30",
        "timezone": "Europe/Paris",
        "place": "Funtime Play Centre",
        "notes": "Bring a swimsuit.",
        **overrides,
    }

"""Plans for the schedule tests, written the way a parent would write the file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coparent.core.schedule import Plan, plan_from_dict


def plan(**changes: Any) -> Plan:
    """Alex (A) and Sam (B) on a 2-2-3 from Monday 4 January 2027 in Chicago, exchanging at
    18:00, changed by ``changes`` (a value of None drops the key)."""
    data: dict[str, Any] = {
        "timezone": "America/Chicago",
        "parents": ["Alex", "Sam"],
        "start": date(2027, 1, 4),
        "exchange_time": "18:00",
        "pattern": "2-2-3",
    }
    data.update(changes)
    return plan_from_dict({key: value for key, value in data.items() if value is not None})


def local(zone: str, *parts: int, fold: int = 0) -> datetime:
    """An aware local time (first occurrence unless ``fold``), as an instant in UTC."""
    return datetime(*parts, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)

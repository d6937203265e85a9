"""A calendar read by two independent parsers, `icalendar` and `vobject`, for the feed tests.

vobject takes each zone from the VTIMEZONE the file carries (through dateutil), not from the
zone database, so its instants check our VTIMEZONEs. It remembers the first VTIMEZONE it saw
for each TZID for the rest of the process, though, so each reading here forgets them first:
otherwise one test's zone (covering other years) would be used to read another's file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import icalendar
import vobject
import vobject.icalendar


def vobject_calendar(text: str) -> Any:
    remembered = vobject.icalendar.__dict__["__tzidMap"]
    for tzid in [key for key in remembered if key != "UTC"]:
        del remembered[tzid]
    return vobject.readOne(text)


def _value(value: date | datetime) -> date | datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def read_both(text: str) -> dict[str, tuple[str, date | datetime, date | datetime]]:
    """Each VEVENT as uid -> (summary, start, end): timed values as UTC instants, all-day ones
    as dates. Fails unless both parsers read the same events at the same instants."""
    by_icalendar = {
        str(event["UID"]): (
            str(event["SUMMARY"]),
            _value(event["DTSTART"].dt),
            _value(event["DTEND"].dt),
        )
        for event in icalendar.Calendar.from_ical(text).walk("VEVENT")
    }
    by_vobject = {
        event.uid.value: (
            event.summary.value,
            _value(event.dtstart.value),
            _value(event.dtend.value),
        )
        for event in getattr(vobject_calendar(text), "vevent_list", [])
    }
    assert by_icalendar == by_vobject
    return by_icalendar

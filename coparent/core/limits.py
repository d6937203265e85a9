"""The bounds every number and date a person sends must fit, before anything uses it.

One place, read by the API's typed fields (coparent.api.schemas) and the pages' form fields
(coparent.web.fields), so a query string or a JSON body can never carry a value the database
or the schedule engine cannot hold:

- whole numbers that reach the database (ids, offsets) fit a signed 64-bit integer, the widest
  that SQLite and PostgreSQL's bigint store: one more and SQLite overflows, PostgreSQL fails the
  query ("bigint out of range");
- dates lie in the years 1901 to 2198, a year inside the schedule engine's own range on each
  side, so a calendar, a time-share or a plan preview asked for at either edge still has the
  days the engine works beyond its window, and date arithmetic never runs past year 9999 or
  before year 1;
- a list of ids is at most MAX_LIST_IDS long (SQLite takes at most 32,766 query parameters).

Pure Python, no Django (tests/core/test_limits.py holds them against the engine's range).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

DB_INT_MAX = 2**63 - 1
"""The largest whole number a database column, a LIMIT or an OFFSET takes."""

FIRST_DATE = date(1901, 1, 1)
LAST_DATE = date(2198, 12, 31)
"""The first and the last date anyone may ask about (both included)."""

MAX_LIST_IDS = 1000


def date_in_range(value: date | datetime) -> bool:
    """Whether a date, or a moment's date, lies in [FIRST_DATE, LAST_DATE].

    A moment with an offset is judged by its UTC date too, since that is what the database
    compares; its own date is checked first, so 9999-12-31T23:00-05:00 is refused rather than
    overflowing on the way to UTC."""
    if isinstance(value, datetime):
        if not FIRST_DATE <= value.date() <= LAST_DATE:
            return False
        if value.tzinfo is not None:
            return FIRST_DATE <= value.astimezone(UTC).date() <= LAST_DATE
        return True
    return FIRST_DATE <= value <= LAST_DATE

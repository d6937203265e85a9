"""Time zones for events: IANA names, checked against the zone database `zoneinfo` reads."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

# What the event form offers first; any other IANA name is accepted through the API, and an
# event's own zone is always offered when it is edited.
COMMON_ZONES = (
    "UTC",
    "America/Anchorage",
    "America/Argentina/Buenos_Aires",
    "America/Bogota",
    "America/Chicago",
    "America/Denver",
    "America/Halifax",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/New_York",
    "America/Phoenix",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/St_Johns",
    "America/Toronto",
    "America/Vancouver",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Hong_Kong",
    "Asia/Jerusalem",
    "Asia/Kolkata",
    "Asia/Manila",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Atlantic/Reykjavik",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Melbourne",
    "Australia/Perth",
    "Australia/Sydney",
    "Europe/Amsterdam",
    "Europe/Athens",
    "Europe/Berlin",
    "Europe/Dublin",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Europe/Lisbon",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Zurich",
    "Pacific/Auckland",
    "Pacific/Honolulu",
)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone the system's zone database has. Checked against the list
    rather than by opening it, so a path or an odd string never reaches the file system."""
    return name in _known()


def zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    names = list(COMMON_ZONES)
    if current and current not in names and is_known_zone(current):
        names.append(current)
    return [(name, name.replace("_", " ")) for name in sorted(names, key=_sort_key)]


def _sort_key(name: str) -> tuple[int, str]:
    return (0 if name == "UTC" else 1, name)

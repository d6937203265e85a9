"""Time zones: IANA names, checked against the zone database `zoneinfo` reads.

A family's zone (every time its pages show), a member's own zone and an event's zone are all
chosen from these lists and checked with `is_known_zone` before they are stored."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

# The longest IANA name is 32 characters ("America/Argentina/ComodRivadavia"); room to spare.
ZONE_MAX_CHARS = 64
# The regions of the zone database whose names people pick from ("Europe/Paris"); the rest are
# old aliases ("US/Central", "Etc/GMT+5") that would only make the list longer.
REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)

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


@lru_cache(maxsize=1)
def all_zone_names() -> tuple[str, ...]:
    """Every zone of the database a person would pick, by region and name, then UTC."""
    names = sorted(n for n in _known() if n.split("/", 1)[0] in REGIONS and "/" in n)
    return (*names, "UTC")


def all_zone_choices() -> list[tuple[str, str]]:
    """Every zone, for a family's or a member's own zone (the browser's is preselected)."""
    return [(name, name.replace("_", " ")) for name in all_zone_names()]


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone called `name`, or UTC for an empty or unknown name (a stored name that a newer
    zone database dropped must not break a page)."""
    if name and is_known_zone(name):
        return ZoneInfo(name)
    return ZoneInfo("UTC")

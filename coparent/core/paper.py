"""Paper size for documents people print (the record's PDF): US Letter where that is the
paper in the shops, A4 everywhere else.

A family has a time zone, not a country, so the country is the one the zone database gives for
the zone (`zone.tab`, shipped by the `tzdata` package): "America/Chicago" is in the US,
"Europe/Paris" in France. A zone the table does not place ("UTC", "Etc/GMT+5") gets A4, the
paper of most of the world.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

Paper = Literal["letter", "A4"]

# Where US Letter is the usual paper: North America (the United States and its territories,
# Canada, Mexico), most of Central America, and Chile, Colombia, Venezuela, the Dominican
# Republic and the Philippines.
LETTER_COUNTRIES = frozenset(
    {
        "US", "PR", "GU", "VI", "AS", "MP", "UM",  # the United States and its territories
        "CA", "MX",
        "GT", "SV", "HN", "NI", "CR", "PA", "BZ",
        "CL", "CO", "VE", "DO", "PH",
    }
)  # fmt: skip


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Zone name → ISO 3166 country code, from the zone database's `zone.tab`."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is a dependency
        return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            found[fields[2]] = fields[0]
    return found


def country_of_zone(zone: str) -> str | None:
    """The country the zone database places `zone` in, or None ("UTC", an alias)."""
    return _countries().get(zone)


def paper_for_zone(zone: str) -> Paper:
    """Letter for a zone in a Letter country, A4 otherwise."""
    return "letter" if country_of_zone(zone) in LETTER_COUNTRIES else "A4"

"""Holiday dates by name, from the `holidays` package.

A plan names a holiday the way people say it ("Thanksgiving"); the package names it its own
way ("Thanksgiving Day"), sometimes several names on one date ("Christmas Day (observed);
Christmas Eve"). A rule's ``date`` is matched, ignoring case, inside each of those names, in
the country's own language and in English where the package has it, over every category the
package knows for the country (so Mother's Day and Christmas Eve are there, not only public
holidays). "(observed)" days are left out unless the name asked for says "observed". When some
name equals the asked-for text, only such names count.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

OBSERVED = "observed"


class UnknownCalendar(ValueError):
    """The country or subdivision is not one the `holidays` package knows."""


@lru_cache(maxsize=64)
def _categories(country: str, subdivision: str | None) -> tuple[str, ...]:
    try:
        probe = holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise UnknownCalendar(str(exc)) from None
    return tuple(probe.supported_categories)


@lru_cache(maxsize=64)
def _languages(country: str, subdivision: str | None) -> tuple[str | None, ...]:
    """The country's own language, and English too when the package translates to it.

    Always named explicitly: without a language the package picks one from the process's
    locale, and the same plan must mean the same dates everywhere.
    """
    try:
        probe = holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise UnknownCalendar(str(exc)) from None
    own = probe.default_language
    english: list[str] = [lang for lang in ("en_US", "en_GB") if lang in probe.supported_languages]
    english += [lang for lang in probe.supported_languages if lang.startswith("en")]
    if english and english[0] != own:
        return (own, english[0])
    return (own,)


def check_calendar(country: str, subdivision: str | None) -> None:
    """Raise UnknownCalendar unless the package has holidays for this country (subdivision)."""
    _languages(country, subdivision)


def subdivisions(country: str) -> list[str]:
    """The subdivision codes the package knows for a country it knows."""
    return list(holidays.country_holidays(country).subdivisions)


@lru_cache(maxsize=4096)
def names_in_year(country: str, subdivision: str | None, year: int) -> tuple[tuple[date, str], ...]:
    """Every (date, name) of the year, each name on its own, in each language looked at."""
    found: set[tuple[date, str]] = set()
    for language in _languages(country, subdivision):
        calendar = holidays.country_holidays(
            country,
            subdiv=subdivision,
            years=year,
            language=language,
            categories=_categories(country, subdivision),
        )
        for day, names in calendar.items():
            if day.year == year:
                found.update((day, name.strip()) for name in names.split(";"))
    return tuple(sorted(found))


def matches(
    country: str, subdivision: str | None, wanted: str, year: int
) -> list[tuple[date, str]]:
    """The (date, name) pairs of ``year`` that a rule's ``date`` text picks, best first."""
    needle = wanted.strip().casefold()
    candidates = [
        (day, name)
        for day, name in names_in_year(country, subdivision, year)
        if needle in name.casefold() and (OBSERVED in needle or OBSERVED not in name.casefold())
    ]
    exact = [(day, name) for day, name in candidates if name.casefold() == needle]
    return exact or candidates


def holiday_date(country: str, subdivision: str | None, wanted: str, year: int) -> date | None:
    """The date of the holiday named like ``wanted`` in ``year``: the earliest match when the
    name is ambiguous that year, None when there is none."""
    found = matches(country, subdivision, wanted, year)
    return min(day for day, _ in found) if found else None


def zone_country(zone: str) -> str | None:
    """The country whose holidays a family living in ``zone`` most likely keeps (the zone's
    territory in CLDR, through Babel: "America/Chicago" is "US"), when the `holidays` package
    has a calendar for it; None otherwise ("UTC", Antarctica)."""
    from babel.core import get_global

    territory = get_global("zone_territories").get(zone)
    if not territory:
        return None
    try:
        check_calendar(territory, None)
    except UnknownCalendar:
        return None
    return str(territory)

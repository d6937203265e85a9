"""Dates and times as people read them: in a zone, in their locale's own style (CLDR, through
Babel), never in a format string written by hand.

The pages, the PDF and the emails format every date and time through these few functions, so a
reader in New Zealand sees "30 Nov 2027, 6:54 pm" and one in the United States "Nov 30, 2027,
6:54 PM" for the same instant. The styles are CLDR skeletons that each locale turns into its
own pattern (order of day and month, 12 or 24 hours, punctuation).

Pure Python: no Django. The Django side (coparent.web.zones) decides which zone and locale a
request reads in and hands them to these functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal

DEFAULT_LOCALE = "en"

# Named styles of a date, each a CLDR skeleton (the fields wanted, not their order): the locale
# decides how to write them.
DAY_STYLES = {
    "date": "yMMMd",  # Nov 30, 2027 · 30 Nov 2027
    "weekday": "MMMEd",  # Tue, Nov 30 · Tue 30 Nov
    "weekday_year": "yMMMEd",  # Tue, Nov 30, 2027
    "weekday_long": "MMMMEEEEd",  # Tuesday, November 30 (where the locale spells it out)
    "month": "yMMMM",  # November 2027
    "month_short": "yMMM",  # Nov 2027
    "number": "d",  # 30
}


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


def pick_locale(accept_language: str, language: str = DEFAULT_LOCALE) -> str:
    """The locale whose conventions the reader's dates follow: the first tag of their
    browser's Accept-Language in `language` (the language the page's words are in), so that
    en-NZ, en-GB and en-US readers each get their own order of day and month and clock, and a
    page in English never shows a French month name. `language` itself otherwise."""
    base = _locale(language).language
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, index, tag.strip()))
    for _quality, _index, tag in sorted(ranked):
        try:
            found = Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if found.language == base:
            return str(found)
    return str(_locale(language))


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` (aware; a naive one is taken as UTC, as the database stores it) in `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def format_day(day: date | datetime, locale: str, style: str = "date") -> str:
    """A calendar date in one of DAY_STYLES. A datetime must already be in the zone wanted."""
    return _format_day(day.date() if isinstance(day, datetime) else day, locale, style)


@lru_cache(maxsize=4096)
def _format_day(value: date, locale: str, style: str) -> str:
    # Kept: a month's page writes some eighty dates, the same ones for every family, and
    # Babel matches the skeleton to the locale's patterns anew at each call.
    return str(format_skeleton(DAY_STYLES[style], value, locale=_locale(locale)))


def format_clock(moment: datetime | time, locale: str, zone: tzinfo | None = None) -> str:
    """The time of day, the locale's short style ("6:54 PM", "18:54"), in `zone` when given."""
    if isinstance(moment, datetime) and zone is not None:
        moment = in_zone(moment, zone)
    return str(format_time(moment, "short", locale=_locale(locale)))


def format_moment(moment: datetime, zone: tzinfo, locale: str, *, style: str = "date") -> str:
    """Date and time of an instant in `zone`: the date in `style`, the short time, joined the
    locale's way ("Nov 30, 2027, 6:54 PM")."""
    local = in_zone(moment, zone)
    pattern = _locale(locale).datetime_formats["medium"]
    return str(pattern).format(format_clock(local, locale), format_day(local, locale, style))


def format_span(start: datetime, end: datetime, zone: tzinfo, locale: str) -> str:
    """From `start` to `end` in `zone`: the end's date only when it falls on another day
    ("Tue, Nov 30, 2027, 2:00 PM – 4:00 PM")."""
    first, last = in_zone(start, zone), in_zone(end, zone)
    shown_end = (
        format_clock(last, locale)
        if first.date() == last.date()
        else format_moment(last, zone, locale, style="weekday_year")
    )
    return f"{format_moment(first, zone, locale, style='weekday_year')} – {shown_end}"


def format_long_date(day: date, locale: str) -> str:
    """A date written out in full, for a heading ("Tuesday, November 30, 2027")."""
    return str(format_date(day, "full", locale=_locale(locale)))


def zone_abbreviation(zone: ZoneInfo, at: datetime) -> str:
    """The zone's short name in force at `at` ("NZDT", "CST"); zones without one give their
    offset ("+04")."""
    return in_zone(at, zone).tzname() or zone.key


def zone_label(zone: ZoneInfo, at: datetime) -> str:
    """ "Pacific/Auckland (NZDT)": the zone's name and its short name in force at `at`, once
    when they are the same ("UTC")."""
    short = zone_abbreviation(zone, at)
    return zone.key if short == zone.key else f"{zone.key} ({short})"


def zone_place(zone: ZoneInfo) -> str:
    """The place a zone is named after, as people say it ("Chicago", "Buenos Aires")."""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def format_number(value: float, locale: str, *, places: int = 2) -> str:
    """A count or an amount the locale's way, whole numbers without ".0" ("188", "182.5",
    "1,234")."""
    rounded = round(value, places)
    if rounded == int(rounded):
        return str(format_decimal(int(rounded), locale=_locale(locale)))
    pattern = "#,##0." + "#" * places
    return str(format_decimal(rounded, format=pattern, locale=_locale(locale)))

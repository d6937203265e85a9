"""Dates and times as people read them (coparent.core.when): a reader in New Zealand and one in
the United States see the same instant each their own way, in the zone they are shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.when import (
    DAY_STYLES,
    format_clock,
    format_day,
    format_long_date,
    format_moment,
    format_number,
    format_span,
    pick_locale,
    zone_label,
    zone_place,
)

AUCKLAND = ZoneInfo("Pacific/Auckland")
CHICAGO = ZoneInfo("America/Chicago")
NNBSP = "\u202f"  # CLDR's narrow no-break space between a time and AM/PM

# "Proposed … 30 Nov 05:54" (UTC) was 23:54 on 29 Nov in Chicago and 18:54 in Auckland.
PROPOSED = datetime(2027, 11, 30, 5, 54, tzinfo=UTC)


def test_the_same_instant_reads_in_each_zone_and_locale():
    assert format_moment(PROPOSED, CHICAGO, "en_US") == f"Nov 29, 2027, 11:54{NNBSP}PM"
    assert format_moment(PROPOSED, AUCKLAND, "en_GB") == "30 Nov 2027, 18:54"
    assert format_moment(PROPOSED, AUCKLAND, "en_NZ") == f"30 Nov 2027, 6:54{NNBSP}pm"
    assert format_moment(PROPOSED, CHICAGO, "en", style="weekday") == (
        f"Mon, Nov 29, 11:54{NNBSP}PM"
    )


def test_a_naive_datetime_is_read_as_utc_as_the_database_stores_it():
    naive = PROPOSED.replace(tzinfo=None)
    assert format_moment(naive, CHICAGO, "en") == format_moment(PROPOSED, CHICAGO, "en")


def test_days_clocks_and_spans():
    assert format_day(date(2027, 3, 1), "en", "month") == "March 2027"
    assert format_day(date(2027, 3, 1), "en_GB", "weekday") == "Mon 1 Mar"
    assert format_day(date(2027, 3, 1), "en", "number") == "1"
    assert format_long_date(date(2027, 3, 1), "en_GB") == "Monday, 1 March 2027"
    assert format_clock(time(17, 30), "en_GB") == "17:30"
    start = datetime(2027, 6, 12, 13, 0, tzinfo=UTC)
    assert format_span(start, start + timedelta(hours=2), UTC, "en_GB") == (
        "Sat, 12 Jun 2027, 13:00 – 15:00"
    )
    # Past midnight, the end gives its date too.
    assert format_span(start, start + timedelta(hours=12), UTC, "en_GB") == (
        "Sat, 12 Jun 2027, 13:00 – Sun, 13 Jun 2027, 01:00"
    )


@pytest.mark.parametrize("style", sorted(DAY_STYLES))
def test_every_style_gives_text_in_every_locale(style):
    for locale in ("en", "en_GB", "en_NZ", "fr", "de", "ja"):
        assert format_day(date(2027, 12, 31), locale, style).strip()


def test_the_zone_is_named_with_its_short_name_in_force():
    summer, winter = datetime(2027, 1, 15, tzinfo=UTC), datetime(2027, 7, 15, tzinfo=UTC)
    assert zone_label(AUCKLAND, summer) == "Pacific/Auckland (NZDT)"
    assert zone_label(AUCKLAND, winter) == "Pacific/Auckland (NZST)"
    assert zone_label(CHICAGO, summer) == "America/Chicago (CST)"
    assert zone_label(ZoneInfo("UTC"), summer) == "UTC"
    assert zone_place(ZoneInfo("America/Argentina/Buenos_Aires")) == "Buenos Aires"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("en-NZ,en;q=0.9", "en_NZ"),
        ("en-GB", "en_GB"),
        ("en-US,en;q=0.5", "en_US"),
        # A French browser reads English pages: the dates follow the first English tag.
        ("fr-FR,fr;q=0.9,en-GB;q=0.8", "en_GB"),
        ("fr-FR", "en"),
        ("", "en"),
        ("en;q=0.1, en-AU;q=0.9", "en_AU"),
        ("xx-zz,en-IE", "en_IE"),
        ("en-GB;q=nonsense,en-CA", "en_CA"),
    ],
)
def test_the_locale_comes_from_the_browsers_languages_in_the_pages_language(header, locale):
    assert pick_locale(header) == locale


@given(st.text(max_size=200))
def test_any_header_gives_a_locale_of_the_pages_language(header):
    assert pick_locale(header).split("_")[0] == "en"


@given(st.integers(min_value=0, max_value=10**9))
def test_whole_numbers_have_no_decimal_part(n):
    shown = format_number(float(n), "en")
    assert not shown.endswith(".0")
    assert shown.replace(",", "") == str(n)


def test_numbers_keep_what_they_need():
    assert format_number(188.0, "en") == "188"
    assert format_number(182.5, "en") == "182.5"
    assert format_number(33.333, "en") == "33.33"
    assert format_number(1234.5, "de") == "1.234,5"

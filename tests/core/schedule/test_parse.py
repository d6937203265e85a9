"""Reading plan files: the example of ARCHITECTURE.md, the extensions, and every bad plan
answered with the field and the problem."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from coparent.core.schedule import (
    PlanError,
    load_plan,
    parse_plan,
    plan_from_dict,
    plan_to_dict,
    plan_to_toml,
)
from coparent.core.schedule.model import DayOffset, YearOwners

ARCHITECTURE_EXAMPLE = """
timezone = "America/Chicago"   # IANA zone; every local time below is in it
parents = ["Alex", "Sam"]      # exactly two; "A" means the first, "B" the second
start = 2027-01-04             # the date on which day 0 of the rotation falls
exchange_time = "18:00"        # local time at which custody changes hands
pattern = "2-2-3"              # a named pattern, or instead:
# rotation = "AABBAAABBAABBB"  # one letter per day, repeating

[[holiday]]                    # above the rotation; a later holiday beats an earlier one
name = "Thanksgiving"
date = "Thanksgiving"          # matched, ignoring case, inside the names that the `holidays`
                               # package gives for `country` ("Thanksgiving Day"), or "MM-DD"
country = "US"
start = "-1d 18:00"            # relative to the holiday's date, local time
end = "+3d 18:00"
odd_years = "B"                # who has it in odd years
even_years = "A"               # and in even years

[[override]]                   # one-off, above holidays; a later override beats an earlier one
start = 2027-07-10T09:00:00
end = 2027-07-17T18:00:00
parent = "A"
note = "Trip"
"""

EXTENDED = """
timezone = "Europe/Berlin"
parents = ["Jana", "Tom"]
start = 2027-01-04
exchange_time = "17:30"
rotation = "AAAAAAABBBBBBB"
exchange_place = "Grundschule am Park"
country = "de"
subdivision = "BY"

[[holiday]]
name = "Heiligabend"
date = "12-24"
start = "+0d 10:00"
end = "+1d 10:00"
odd_years = "Jana"
even_years = "Tom"

[[holiday]]
name = "Easter"
date = "Easter Monday"
start = "-1d 10:00"
end = "+0d 18:00"
even_years = "B"

[[school_break]]
name = "Sommerferien"
start = 2027-08-02
end = 2027-09-13T08:00:00
split = "halves"
odd_years = "A"
even_years = "B"

[[birthday]]
name = "Mia"
date = 2016-05-02
start = "+0d 15:00"
end = "+0d 19:00"
odd_years = "B"
even_years = "A"
"""


def test_the_example_of_the_architecture_reads_as_written(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(ARCHITECTURE_EXAMPLE)
    plan = load_plan(path)

    assert plan.timezone == "America/Chicago"
    assert plan.parents == ("Alex", "Sam")
    assert plan.start == date(2027, 1, 4)
    assert plan.exchange_time == time(18, 0)
    assert (plan.pattern, plan.rotation) == ("2-2-3", "AABBAAABBAABBB")
    (thanksgiving,) = plan.holidays
    assert thanksgiving.date == "Thanksgiving"
    assert thanksgiving.country == "US"
    assert (thanksgiving.start, thanksgiving.end) == (
        DayOffset(-1, time(18)),
        DayOffset(3, time(18)),
    )
    assert thanksgiving.owners == YearOwners(odd_years="B", even_years="A")
    (trip,) = plan.overrides
    assert (trip.start, trip.end, trip.parent, trip.note) == (
        datetime(2027, 7, 10, 9),  # noqa: DTZ001  # local, in the plan's zone
        datetime(2027, 7, 17, 18),  # noqa: DTZ001
        "A",
        "Trip",
    )


def test_the_extensions_read_with_plan_wide_country_and_names_for_letters():
    plan = parse_plan(EXTENDED)
    assert plan.exchange_place == "Grundschule am Park"
    assert (plan.country, plan.subdivision) == ("DE", "BY")
    assert plan.holidays[0].owners == YearOwners("A", "B")
    assert plan.holidays[1].owners == YearOwners(None, "B")
    (summer,) = plan.school_breaks
    assert summer.start == datetime(2027, 8, 2, 17, 30)  # noqa: DTZ001  # a date: exchange time
    assert summer.split == "halves"
    (mia,) = plan.birthdays
    assert (mia.month, mia.day, mia.year) == (5, 2, 2016)


def test_the_example_in_the_documentation_is_a_valid_plan():
    text = (Path(__file__).parents[3] / "docs" / "schedules.md").read_text()
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    plan = parse_plan(example)
    assert [h.name for h in plan.holidays] == ["Thanksgiving", "Christmas Day", "Mother's Day"]
    assert (len(plan.school_breaks), len(plan.birthdays), len(plan.overrides)) == (1, 1, 1)


@pytest.mark.parametrize("text", [ARCHITECTURE_EXAMPLE, EXTENDED])
def test_a_plan_written_back_reads_the_same(text):
    plan = parse_plan(text)
    assert parse_plan(plan_to_toml(plan)) == plan
    assert plan_from_dict(plan_to_dict(plan, json_safe=True)) == plan


BASE = {
    "timezone": "America/Chicago",
    "parents": ["Alex", "Sam"],
    "start": "2027-01-04",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
}
HOLIDAY = {
    "name": "Thanksgiving",
    "date": "Thanksgiving",
    "country": "US",
    "start": "-1d 18:00",
    "end": "+3d 18:00",
    "odd_years": "B",
    "even_years": "A",
}
BREAK = {"name": "Winter", "start": "2027-12-18", "end": "2028-01-03", "odd_years": "A"}


def _with(**changes):
    data = {**BASE, **changes}
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (_with(pattern="2-2-4"), "pattern", '"2-2-4" is not a named pattern'),
        (_with(pattern=None, rotation="AABC"), "rotation", "only the letters A and B"),
        (_with(pattern=None, rotation="aabb"), "rotation", "only the letters A and B"),
        (_with(pattern=None), "pattern", "give a named pattern or a rotation"),
        (_with(rotation="AB"), "pattern", "not both"),
        (_with(timezone="Mars/Olympus_Mons"), "timezone", "is not an IANA time zone"),
        (_with(timezone="america/chicago"), "timezone", 'did you mean "America/Chicago"'),
        (_with(timezone=None), "timezone", "missing"),
        (_with(parents=["Alex"]), "parents", "exactly two names are needed, found 1"),
        (_with(parents=["Alex", "alex"]), "parents", "must differ"),
        (_with(start="2027-02-30"), "start", "is not a date"),
        (_with(start="1850-01-01"), "start", "must be between"),
        (_with(exchange_time="25:00"), "exchange_time", "is not a local time"),
        (_with(exchange_tme="18:00"), "exchange_tme", "unknown key"),
        (_with(holiday=[{**HOLIDAY, "end": "-2d 18:00"}]), "holiday[0].end", "is not after"),
        (_with(holiday=[{**HOLIDAY, "start": "yesterday"}]), "holiday[0].start", "is not like"),
        (_with(holiday=[{**HOLIDAY, "date": "Thanksgivng"}]), "holiday[0].date", "no US holiday"),
        (_with(holiday=[{**HOLIDAY, "date": "Christmas"}]), "holiday[0].date", "several"),
        (_with(holiday=[{**HOLIDAY, "date": "New Year"}]), "holiday[0].date", "several"),
        (_with(holiday=[{**HOLIDAY, "date": "13-45"}]), "holiday[0].date", "not a day of"),
        (_with(holiday=[{**HOLIDAY, "country": "XX"}]), "holiday[0].country", '"XX" is not'),
        (
            _with(holiday=[{**HOLIDAY, "subdivision": "ZZ"}]),
            "holiday[0].subdivision",
            '"ZZ" is not a subdivision of US',
        ),
        (
            _with(holiday=[{**HOLIDAY, "country": None, "date": "Labor Day"}]),
            "holiday[0].country",
            "needed to look up",
        ),
        (
            _with(holiday=[{**HOLIDAY, "odd_years": None, "even_years": None}]),
            "holiday[0].odd_years",
            "missing",
        ),
        (_with(holiday=[{**HOLIDAY, "odd_years": "C"}]), "holiday[0].odd_years", "not a parent"),
        (_with(holiday=[{**HOLIDAY, "colour": "red"}]), "holiday[0].colour", "unknown key"),
        (_with(holiday={"name": "x"}), "holiday", "[[holiday]]"),
        (
            _with(
                override=[
                    {"start": "2027-07-17T18:00:00", "end": "2027-07-10T09:00:00", "parent": "A"}
                ]
            ),
            "override[0].end",
            "is not after the start",
        ),
        (
            _with(
                override=[
                    {
                        "start": "2027-07-10T09:00:00",
                        "end": "2027-07-17T18:00:00",
                        "parent": "Chris",
                    }
                ]
            ),
            "override[0].parent",
            '"Chris" is not a parent',
        ),
        (
            _with(override=[{"end": "2027-07-17T18:00:00", "parent": "A"}]),
            "override[0].start",
            "missing",
        ),
        (
            _with(school_break=[{**BREAK, "end": "2027-12-01"}]),
            "school_break[0].end",
            "is not after the start",
        ),
        (
            _with(
                school_break=[
                    BREAK,
                    {**BREAK, "name": "Ski", "start": "2028-01-02", "end": "2028-01-09"},
                ]
            ),
            "school_break[1].start",
            'overlaps school_break[0] ("Winter"',
        ),
        (_with(school_break=[{**BREAK, "split": "thirds"}]), "school_break[0].split", "halves"),
        (
            _with(
                birthday=[
                    {
                        "name": "Mia",
                        "date": "May 2",
                        "start": "+0d 15:00",
                        "end": "+0d 19:00",
                        "odd_years": "A",
                    }
                ]
            ),
            "birthday[0].date",
            "is not",
        ),
        (_with(subdivision="TX"), "subdivision", "needs a country"),
        (
            _with(country="Narnia", holiday=[{**HOLIDAY, "country": None}]),
            "country",
            "is not a country",
        ),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field_and_the_problem(data, field, words):
    with pytest.raises(PlanError) as caught:
        plan_from_dict(data)
    assert any(name == field and words in message for name, message in caught.value.problems), (
        caught.value.problems
    )


def test_every_problem_is_reported_at_once():
    with pytest.raises(PlanError) as caught:
        plan_from_dict(_with(timezone="Nowhere", pattern="2-2-4", exchange_time="noon"))
    assert [name for name, _ in caught.value.problems] == ["timezone", "exchange_time", "pattern"]
    assert str(caught.value).startswith('timezone: "Nowhere" is not an IANA time zone')


def test_a_file_that_is_not_toml_names_the_line():
    with pytest.raises(PlanError) as caught:
        parse_plan('timezone = "UTC"\nparents = Alex, Sam\n')
    ((field, message),) = caught.value.problems
    assert field == "file"
    assert "not valid TOML" in message and "line" in message


def test_an_override_may_be_an_exact_instant_and_dates_mean_the_exchange_time():
    plan = plan_from_dict(
        _with(
            override=[{"start": "2027-07-10T09:00:00-05:00", "end": "2027-07-17", "parent": "Sam"}]
        )
    )
    (trip,) = plan.overrides
    assert trip.start.utcoffset() is not None
    assert trip.end == datetime(2027, 7, 17, 18)  # noqa: DTZ001  # local, in the plan's zone
    assert trip.parent == "B"

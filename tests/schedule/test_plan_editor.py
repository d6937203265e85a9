"""The plan editor in plain words: Alex sets up the plan by answering questions ("Who has the
children on the first day?", "the day before at 17:30", "Sam, even years") and the stored plan
keeps the format of docs/schedules.md. Each answer maps one way and reads back the other; bad
answers are refused on the field they belong to."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.schedule import PATTERNS
from coparent.families.services import family_zone_set
from coparent.schedule.forms import (
    Editor,
    HolidayForm,
    editor,
    initial_from_plan,
    owners_from_words,
    words_from_owners,
)
from coparent.schedule.models import PlanVersion
from coparent.schedule.services import plan_accept, plan_propose
from tests.schedule.conftest import plan_data

NAMES = ("Alex", "Sam")
YEAR = 2027


def as_posted(edit: Editor) -> dict[str, Any]:
    """What a browser posts for an editor shown as it starts: every field's value."""
    data: dict[str, Any] = {}
    forms: list[Any] = [edit.form]
    for formset in edit.formsets:
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms += formset.forms
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, date | time):
                value = value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
            data[field.html_name] = "" if value is None else str(value)
    return data


def post(**changes: Any) -> dict[str, Any]:
    data = {
        "pattern": "2-2-3",
        "first_parent": "A",
        "start": "2040-01-02",
        "exchange_time": "17:30",
        "exchange_place": "School",
        "timezone": "America/Chicago",
        "country": "US",
        "effective_from": "2040-01-01",
    }
    for prefix in ("holiday", "birthday", "school_break"):
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(changes)
    return data


def plan_of(data: dict[str, Any]) -> dict[str, Any]:
    edit = editor(data, parents=NAMES, year=YEAR)
    assert edit.is_valid(), [edit.form.errors, *(fs.errors for fs in edit.formsets)]
    return edit.plan_data(NAMES)


def errors_of(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    edit = editor(data, parents=NAMES, year=YEAR)
    assert not edit.is_valid()
    return dict(edit.form.errors), [dict(fs.forms[0].errors) for fs in edit.formsets]


# --- who has the children on the first day ------------------------------------------------------


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_sam_first_stores_the_pattern_with_its_letters_swapped_and_reads_back(pattern):
    stored = plan_of(post(pattern=pattern, first_parent="B"))

    assert "pattern" not in stored
    assert stored["rotation"] == PATTERNS[pattern].translate(str.maketrans("AB", "BA"))
    initial = initial_from_plan(stored, today=date(2040, 1, 1), children=[])["plan"]
    assert (initial["pattern"], initial["first_parent"]) == (pattern, "B")


def test_alex_first_keeps_the_named_pattern():
    assert plan_of(post(pattern="5-2"))["pattern"] == "5-2"


def test_an_own_rotation_must_begin_with_the_parent_named_for_the_first_day():
    form_errors, _rows = errors_of(post(pattern="custom", rotation="BBAA", first_parent="A"))
    assert form_errors["first_parent"] == [
        "Your rotation starts with B, which is Sam: choose Sam here, or start the rotation "
        "with the other letter."
    ]
    assert plan_of(post(pattern="custom", rotation="bbaa", first_parent="B"))["rotation"] == (
        "BBAA"
    )


def test_an_own_rotation_typed_beside_a_named_pattern_is_not_dropped_silently():
    form_errors, _rows = errors_of(post(rotation="AABB"))
    assert form_errors["rotation"] == [
        'Choose "My own rotation" above to use it, or leave this empty.'
    ]


def test_the_form_speaks_of_the_parents_by_name():
    edit = editor(parents=NAMES, year=YEAR)
    html = str(edit.form) + str(edit.holidays.forms[0])
    assert "Who has the children on the first day?" in html
    assert '<option value="B">Sam</option>' in html
    for jargon in ("Day 0", "parent A", "parent B", "MM-DD", "-1d"):
        assert jargon not in html


# --- holidays: from the country's list, or a day of one's own ------------------------------------


def test_a_holiday_from_the_list_the_evening_before_until_three_days_after():
    stored = plan_of(
        post(
            **{
                "holiday-0-holiday": "Thanksgiving Day",
                "holiday-0-from_day": "-1",
                "holiday-0-from_time": "17:30",
                "holiday-0-until_day": "3",
                "holiday-0-until_time": "18:00",
                "holiday-0-parent": "B",
                "holiday-0-years": "odd",
            }
        )
    )
    assert stored["holiday"] == [
        {
            "name": "Thanksgiving Day",
            "date": "Thanksgiving Day",
            "start": "-1d 17:30",
            "end": "+3d 18:00",
            "odd_years": "B",
            "even_years": "A",
        }
    ]


def test_a_day_of_ones_own_is_stored_as_its_month_and_day():
    stored = plan_of(
        post(
            **{
                "holiday-0-fixed_date": "2040-07-14",
                "holiday-0-name": "Grandma's visit",
                "holiday-0-from_day": "0",
                "holiday-0-from_time": "09:00",
                "holiday-0-until_day": "0",
                "holiday-0-until_time": "19:00",
                "holiday-0-parent": "A",
                "holiday-0-years": "every",
            }
        )
    )
    assert stored["holiday"][0]["date"] == "07-14"
    assert stored["holiday"][0]["name"] == "Grandma's visit"


ROW = {
    "holiday-0-from_day": "-1",
    "holiday-0-from_time": "17:30",
    "holiday-0-until_day": "1",
    "holiday-0-until_time": "17:30",
    "holiday-0-parent": "A",
    "holiday-0-years": "every",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, "holiday", "Choose a holiday, or give a day of your own."),
        (
            {"holiday-0-holiday": "Christmas Day", "holiday-0-fixed_date": "2040-12-24"},
            "fixed_date",
            "Choose a holiday from the list or a day of your own, not both.",
        ),
        (
            {"holiday-0-fixed_date": "2040-12-24"},
            "name",
            'Give the day a name, like "Grandma\'s visit".',
        ),
        (
            {"holiday-0-holiday": "Bastille Day"},
            "holiday",
            "Select a valid choice. Bastille Day is not one of the available choices.",
        ),
        (
            {"holiday-0-holiday": "Christmas Day", "holiday-0-until_day": "-1"},
            "until_time",
            "It must end after it starts.",
        ),
        (
            {"holiday-0-holiday": "Christmas Day", "holiday-0-until_time": ""},
            "until_time",
            "Give a time, like 17:30.",
        ),
        (
            {"holiday-0-holiday": "Christmas Day", "holiday-0-from_day": "-500"},
            "from_day",
            "Select a valid choice. -500 is not one of the available choices.",
        ),
        (
            {"holiday-0-holiday": "Christmas Day", "holiday-0-years": "leap"},
            "years",
            "Select a valid choice. leap is not one of the available choices.",
        ),
    ],
)
def test_a_holiday_row_answers_bad_input_on_its_field(changes, field, message):
    _form, (holiday, _birthday, _break) = errors_of(post(**{**ROW, **changes}))
    assert holiday[field] == [message]


def test_the_holiday_list_is_the_countrys():
    us = HolidayForm(parents=NAMES, names=["Thanksgiving Day", "Independence Day"])
    assert [value for value, _label in us.fields["holiday"].choices] == [
        "",
        "Thanksgiving Day",
        "Independence Day",
    ]
    gb = editor(post(country="GB"), parents=NAMES, year=YEAR).holidays.forms[0]
    names = [value for value, _label in gb.fields["holiday"].choices]
    assert "Boxing Day" in names and "Thanksgiving Day" not in names
    assert not any("observed" in name.casefold() for name in names)


# --- which years --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "years", "owners"),
    [
        ("A", "every", {"odd_years": "A", "even_years": "A"}),
        ("B", "even", {"odd_years": "A", "even_years": "B"}),
        ("B", "odd", {"odd_years": "B", "even_years": "A"}),
        ("A", "even_only", {"even_years": "A"}),
        ("B", "odd_only", {"odd_years": "B"}),
    ],
)
def test_every_year_even_years_odd_years(parent, years, owners):
    assert owners_from_words(parent, years) == owners


@given(st.sampled_from(["A", "B", None]), st.sampled_from(["A", "B", None]))
def test_any_owners_the_engine_takes_read_back_as_the_same_words(odd, even):
    if odd is None and even is None:
        return  # the engine refuses a rule that names nobody
    parent, years = words_from_owners(odd, even)
    found = owners_from_words(parent, years)
    assert (found.get("odd_years"), found.get("even_years")) == (odd, even)


# --- birthdays and school breaks -----------------------------------------------------------------


def test_a_birthday_row_needs_its_date_and_a_school_break_its_order():
    _form, (_holiday, birthday, school_break) = errors_of(
        post(
            **{
                "birthday-0-name": "Mia's birthday",
                "birthday-0-from_time": "15:00",
                "birthday-0-until_time": "19:00",
                "birthday-0-from_day": "0",
                "birthday-0-until_day": "0",
                "birthday-0-parent": "A",
                "birthday-0-years": "odd",
                "school_break-0-name": "Winter",
                "school_break-0-start": "2040-12-20",
                "school_break-0-parent": "A",
                "school_break-0-years": "even",
            }
        )
    )
    assert birthday["date"] == ["Give the date of birth."]
    assert school_break["end"] == ["Give a date."]


def test_a_school_break_split_in_halves_sam_in_even_years():
    stored = plan_of(
        post(
            **{
                "school_break-0-name": "Winter break",
                "school_break-0-start": "2040-12-17",
                "school_break-0-end": "2041-01-02",
                "school_break-0-split": "halves",
                "school_break-0-parent": "B",
                "school_break-0-years": "even",
            }
        )
    )
    assert stored["school_break"] == [
        {
            "name": "Winter break",
            "start": "2040-12-17",
            "end": "2041-01-02",
            "split": "halves",
            "odd_years": "A",
            "even_years": "B",
        }
    ]


# --- the plan in force, opened again -------------------------------------------------------------


def test_the_plan_in_force_opens_in_words_and_posts_back_the_same_plan():
    stored = plan_data(
        holiday=[
            {
                "name": "Thanksgiving",
                "date": "Thanksgiving",  # a part of the package's name, as a file may say it
                "start": "-1d 18:00",
                "end": "+3d 18:00",
                "odd_years": "B",
                "even_years": "A",
            },
            {
                "name": "Long weekend",
                "date": "07-14",
                "start": "-20d 09:00",  # further than the lists go: kept
                "end": "+0d 19:00",
                "odd_years": "A",
            },
        ],
        birthday=[
            {
                "name": "Mia's birthday",
                "date": "2016-05-02",
                "start": "+0d 15:00",
                "end": "+0d 19:00",
                "odd_years": "A",
                "even_years": "B",
            }
        ],
        school_break=[
            {
                "name": "Winter break",
                "start": "2027-12-17T18:00:00",
                "end": "2028-01-02T18:00:00",
                "split": "halves",
                "even_years": "B",
            }
        ],
        pattern=None,
        rotation=PATTERNS["2-2-5-5"].translate(str.maketrans("AB", "BA")),
    )
    stored = {k: v for k, v in stored.items() if v is not None}
    shown = editor(
        parents=NAMES,
        year=YEAR,
        initial=initial_from_plan(stored, today=date(2027, 1, 1), children=[]),
    )
    assert shown.form["pattern"].value() == "2-2-5-5"
    assert shown.form["first_parent"].value() == "B"
    assert shown.holidays.forms[0]["holiday"].value() == "Thanksgiving Day"

    again = plan_of(as_posted(shown))

    assert again["rotation"] == stored["rotation"]
    first, second = again["holiday"]
    assert first["date"] == "Thanksgiving Day"
    assert {k: first[k] for k in ("start", "end", "odd_years", "even_years")} == {
        "start": "-1d 18:00",
        "end": "+3d 18:00",
        "odd_years": "B",
        "even_years": "A",
    }
    assert second == {
        "name": "Long weekend",
        "date": "07-14",
        "start": "-20d 09:00",
        "end": "+0d 19:00",
        "odd_years": "A",
    }
    assert again["birthday"] == stored["birthday"]
    assert again["school_break"] == [
        {
            "name": "Winter break",
            "start": "2027-12-17",
            "end": "2028-01-02",
            "split": "halves",
            "even_years": "B",
        }
    ]


def test_a_first_plan_starts_with_the_holidays_of_the_familys_country(cast):
    family_zone_set(access=cast.access(cast.alex), timezone_name="Europe/London")

    page = cast.client_for(cast.alex).get(f"/families/{cast.family.pk}/schedule/plan/")

    edit = page.context["edit"]
    assert edit.form["country"].value() == "GB"
    choices = [value for value, _label in edit.holidays.forms[0].fields["holiday"].choices]
    assert "Boxing Day" in choices
    text = page.content.decode()
    assert "Who has the children on the first day?" in text
    assert 'id="plan-preview" aria-busy="false"' in text
    assert "See the preview" in text and "#plan-preview" in text


def test_a_bad_region_is_said_on_its_field(cast):
    response = cast.client_for(cast.alex).post(
        f"/families/{cast.family.pk}/schedule/plan/", post(subdivision="ZZ", action="propose")
    )
    assert response.status_code == 400
    [message] = response.context["edit"].form.errors["subdivision"]
    assert message.startswith('"ZZ" is not a subdivision of US')
    assert not PlanVersion.objects.exists()


def test_the_preview_says_when_exchanges_happen_in_words(cast):
    response = cast.client_for(cast.alex).post(
        f"/families/{cast.family.pk}/schedule/plan/preview/",
        post(pattern="alternating-weeks", start="2040-01-06", effective_from="2040-01-06"),
    )
    text = response.content.decode()
    assert "Exchanges at 5:30\u202fPM at School, on Friday." in text


def test_a_change_from_the_editor_is_proposed_from_the_plan_in_force(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=version)
    client = cast.client_for(cast.sam)
    page = client.get(f"/families/{cast.family.pk}/schedule/plan/")
    data = as_posted(page.context["edit"])
    data.update({"pattern": "alternating-weeks", "effective_from": soon.isoformat()})
    data["action"] = "propose"

    assert client.post(f"/families/{cast.family.pk}/schedule/plan/", data).status_code == 302

    change = PlanVersion.objects.get(number=2)
    assert change.plan["pattern"] == "alternating-weeks"
    assert change.plan["holiday"][0]["date"] == "Thanksgiving Day"
    assert change.plan["exchange_place"] == "Lincoln Elementary, front door"


def test_alex_chooses_exchanges_at_sams_home_and_the_plan_holds_no_address():
    """docs/safety.md: the plan names the home ("home:B"); the address stays with Sam."""
    stored = plan_of(post(exchange_home="home:B", exchange_place=""))

    assert stored["exchange_place"] == "home:B"
    initial = initial_from_plan(stored, today=date(2040, 1, 1), children=[])
    form = editor(None, parents=NAMES, initial=initial, year=YEAR).form
    assert form.initial["exchange_home"] == "home:B" and form.initial["exchange_place"] == ""
    assert plan_of(post())["exchange_place"] == "School"  # a written place stays as written

"""Bad input to the event form and the API: each problem is named beside its field, and
nothing is saved or recorded."""

from __future__ import annotations

import pytest

from coparent.events.models import ChildEvent
from coparent.records.models import RecordEntry
from tests.events.conftest import add_party, form_data, soon, url
from tests.families.helpers import client_for

LONG = "x" * 10_000


def _nothing_saved(cast):
    assert not ChildEvent.objects.exists()
    assert not RecordEntry.objects.filter(kind__startswith="event.").exists()


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"start_time": "17:00", "end_time": "15:00"},
            "end_time",
            "The event must end after it starts.",
        ),
        ({"start_time": "15:00", "end_time": "15:00"}, "end_time", "The event must end after"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Select a valid choice."),
        ({"title": LONG}, "title", "at most 200 characters (it has 10000)"),
        ({"title": "   "}, "title", "This field is required."),
        ({"children": []}, "children", "Choose at least one child."),
        ({"kind": "wedding"}, "kind", "Select a valid choice."),
        ({"start_date": "2027-02-30"}, "start_date", "Enter a valid date."),
        ({"start_time": ""}, "start_time", "Enter the time it starts, or tick “All day”."),
        ({"start_date": "1066-10-14"}, "start_time", "Enter a date between 1900 and 2199."),
        ({"notes": LONG}, "notes", "at most 4000 characters"),
        (
            {"all_day": "on", "start_date": "2030-05-10", "end_date": "2030-05-09"},
            "end_date",
            "The last day cannot be before the first day.",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_alex_is_told_what_is_wrong_beside_the_field(cast, typed, field, message):
    response = client_for(cast.alex).post(url(cast, "add"), form_data(cast, **typed))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    _nothing_saved(cast)


def test_a_child_of_another_family_is_refused_on_the_form(cast):
    response = client_for(cast.alex).post(
        url(cast, "add"), form_data(cast, children=[str(cast.other_child.pk)])
    )
    assert response.context["form"].errors == {"children": ["Choose children of this family."]}
    _nothing_saved(cast)


def test_editing_to_a_bad_value_keeps_the_event_as_it_was(cast):
    party = add_party(cast)
    response = client_for(cast.sam).post(
        url(cast, "edit", party), form_data(cast, start_time="18:00", end_time="17:00")
    )
    assert response.context["form"].errors == {"end_time": ["The event must end after it starts."]}
    party.refresh_from_db()
    assert party.local_start.strftime("%H:%M") == "15:00"
    assert not RecordEntry.objects.filter(kind="event.changed").exists()


def test_an_rsvp_without_an_answer_is_shown_again_with_the_error(cast):
    party = add_party(cast)
    response = client_for(cast.sam).post(url(cast, "rsvp", party), {"answer": "perhaps"})
    assert response.status_code == 200
    assert "answer" in response.context["rsvp_form"].errors
    assert not party.rsvps.exists()


def _api_body(cast, **overrides):
    start = soon()
    return {
        "title": "Mia's birthday party",
        "kind": "birthday_party",
        "children": [str(cast.mia.pk)],
        "timezone": "Europe/Paris",
        "starts_at": start.isoformat(),
        "ends_at": start.replace(hour=17).isoformat(),
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "status", "field", "message"),
    [
        (
            {"ends_at": soon(hour=14).isoformat()},
            400,
            "ends_at",
            "The event must end after it starts.",
        ),
        ({"timezone": "Mars/Olympus_Mons"}, 400, "timezone", "is not a time zone we know"),
        ({"timezone": "../../etc/passwd"}, 400, "timezone", "is not a time zone we know"),
        ({"title": LONG}, 422, "title", "at most 200 characters"),
        ({"title": "Party\x00"}, 422, "title", "Remove the invisible control characters."),
        ({"children": []}, 400, "children", "Choose at least one child."),
        ({"children": ["not-a-uuid"]}, 422, "children.0", "Enter a valid identifier."),
        ({"kind": "wedding"}, 422, "kind", "Choose one of"),
        ({"starts_at": None}, 400, "starts_at", "Enter when the event starts."),
        ({"all_day": True}, 400, "start_date", "Enter the day of the event."),
        ({"colour": "red"}, 422, "colour", "Unknown field."),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_the_api_names_the_field_and_saves_nothing(cast, as_, overrides, status, field, message):
    response = as_(cast.alex).post(
        f"/families/{cast.family.pk}/events", _api_body(cast, **overrides)
    )
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert message in " ".join(errors[field]), errors
    _nothing_saved(cast)


def test_the_api_refuses_an_event_for_another_familys_child(cast, as_):
    response = as_(cast.alex).post(
        f"/families/{cast.family.pk}/events",
        _api_body(cast, children=[str(cast.mia.pk), str(cast.other_child.pk)]),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"children": ["Choose children of this family."]}
    _nothing_saved(cast)


def test_the_api_refuses_a_null_in_a_change_and_a_bad_answer(cast, as_):
    party = add_party(cast)
    alex = as_(cast.alex)
    patched = alex.patch(f"/families/{cast.family.pk}/events/{party.pk}", {"title": None})
    assert patched.status_code == 422
    assert "title" in patched.json()["errors"]
    answered = as_(cast.sam).call(
        "PUT", f"/families/{cast.family.pk}/events/{party.pk}/rsvp", {"answer": "perhaps"}
    )
    assert answered.status_code == 422
    assert "answer" in answered.json()["errors"]
    assert not RecordEntry.objects.filter(kind__in=["event.changed", "event.rsvp"]).exists()


def test_a_malformed_date_filter_is_a_field_error(cast, as_):
    response = as_(cast.alex).get(f"/families/{cast.family.pk}/events", **{"from": "soon"})
    assert response.status_code == 422
    assert "from" in response.json()["errors"]

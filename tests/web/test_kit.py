"""The web kit every app's pages use (docs/new-app.md): a service's refusal lands beside the field
it names, one-button actions say what happened, and the page renderer gives every template the
app's navigation item and the member's access."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from coparent.families.services import InvitationProblem
from coparent.infra.errors import NON_FIELD, DomainError, NotFound
from coparent.schedule.plans import PlanProblem
from coparent.web.forms import act, add_service_error, submit


class TripForm(forms.Form):
    place = forms.CharField()
    day = forms.DateField()


def test_every_problem_of_a_refusal_is_kept_with_its_field():
    error = PlanProblem([("day", "Pick a later day."), ("holiday[0].date", "No such holiday.")])
    assert error.field == "day" and error.message == "Pick a later day."
    assert error.message_dict == {
        "day": ["Pick a later day."],
        "holiday[0].date": ["No such holiday."],
    }
    assert str(error) == "Pick a later day.; No such holiday."
    form = TripForm({"place": "Park", "day": "2027-01-01"})
    assert form.is_valid()
    add_service_error(form, error)
    # The field the form has gets its message; the one it does not goes on top, not lost.
    assert form.errors == {"day": ["Pick a later day."], NON_FIELD: ["No such holiday."]}


def test_a_service_argument_named_otherwise_finds_its_field():
    form = TripForm({"place": "Park", "day": "2027-01-01"})
    form.is_valid()
    add_service_error(form, DomainError("Too far.", field="where"), where={"where": "place"})
    assert form.errors == {"place": ["Too far."]}


def test_submit_runs_the_service_once_and_turns_its_refusal_into_form_errors():
    form = TripForm({"place": "Park", "day": "2027-01-01"})
    calls = []

    def refuse(data):
        calls.append(data)
        raise ValidationError({"place": ["Closed that day."]})

    assert submit(form, refuse) is None
    assert len(calls) == 1 and form.errors == {"place": ["Closed that day."]}
    assert submit(TripForm({}), refuse) is None and len(calls) == 1  # invalid: no call


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_one_button_action_says_what_happened_either_way():
    request = _request()
    assert act(request, lambda: None, "Done.") is True

    def refuse():
        raise InvitationProblem("This invitation was cancelled by the family.", reason="gone")

    assert act(request, refuse, "Never said.") is False
    assert [str(m) for m in get_messages(request)] == [
        "Done.",
        "This invitation was cancelled by the family.",
    ]


def test_each_kind_of_refusal_carries_the_status_the_api_answers_with():
    assert DomainError("x").status == 400
    assert InvitationProblem("x", reason="gone").status == 410
    assert InvitationProblem("x", reason="seat").status == 409
    assert InvitationProblem("x", reason="unknown").status == 400
    assert NotFound("x").status == 404


def test_the_family_pages_share_one_renderer(cast):
    client = cast.client_for(cast.alex)
    for url, nav in [
        (f"/families/{cast.family.pk}/children/", "children"),
        (f"/families/{cast.family.pk}/events/", "events"),
        (f"/families/{cast.family.pk}/messages/", "messages"),
        (f"/families/{cast.family.pk}/schedule/", "calendar"),
        (f"/families/{cast.family.pk}/record/", "record"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["nav"] == nav
        assert response.context["access"].membership.user == cast.alex

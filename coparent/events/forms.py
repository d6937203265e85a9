"""Forms for the event pages. They shape input (a date and a time into one local moment); the
rules live in the services, whose errors come back as field errors (`add_event_error`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coparent.core.zones import zone_choices
from coparent.events.models import (
    NOTES_MAX_CHARS,
    PLACE_MAX_CHARS,
    RSVP_NOTE_MAX_CHARS,
    TITLE_MAX_CHARS,
    Answer,
    EventKind,
)
from coparent.events.services import EventDetails
from coparent.families.models import Child
from coparent.families.selectors import ChildView
from coparent.web.forms import field_of
from coparent.web.tone import CoachedTextarea, CoachedTextInput
from coparent.web.widgets import DateInput, TimeInput


class EventForm(forms.Form):
    title = forms.CharField(
        label=_("What is it?"),
        max_length=TITLE_MAX_CHARS,
        help_text=_("For example “Mia's birthday party” or “School play”."),
    )
    # Each child is labelled with its name (Child.__str__).
    children = forms.ModelMultipleChoiceField(
        label=_("For which children?"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one child."),
            "invalid_choice": _("Choose children of this family."),
            "invalid_pk_value": _("Choose children of this family."),
        },
    )
    kind = forms.ChoiceField(label=_("Kind of event"), choices=EventKind.choices)
    all_day = forms.BooleanField(
        label=_("All day"),
        required=False,
        help_text=_("Tick for a whole day or several days; the times are then not needed."),
    )
    start_date = forms.DateField(label=_("Day"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), required=False, widget=TimeInput())
    end_date = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when it ends on the same day."),
    )
    end_time = forms.TimeField(label=_("Ends at"), required=False, widget=TimeInput())
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The times above are clock times in this zone."),
    )
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX_CHARS, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTES_MAX_CHARS,
        required=False,
        # Both parents read the notes: the tone coach watches the box (web/_tone_coach.html).
        widget=CoachedTextarea(attrs={"rows": 4}),
        help_text=_("What to bring, who else is invited… Everyone in the family can read it."),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        children: QuerySet[Child],
        zone: str = "UTC",
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        field_of(self, "children", forms.ModelMultipleChoiceField).queryset = children
        field_of(self, "timezone", forms.ChoiceField).choices = zone_choices(zone)
        self.fields["timezone"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("all_day"):
            return data
        for field, message in (
            ("start_time", _("Enter the time it starts, or tick “All day”.")),
            ("end_time", _("Enter the time it ends, or tick “All day”.")),
        ):
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data

    def service_arguments(self) -> EventDetails:
        """The cleaned input as `event_add` / `event_update` take it."""
        data = self.cleaned_data
        arguments: EventDetails = {
            "title": data["title"],
            "kind": data["kind"],
            "children": list(data["children"]),
            "timezone_name": data["timezone"],
            "all_day": data["all_day"],
            "place": data["place"],
            "notes": data["notes"],
        }
        if data["all_day"]:
            arguments["start_date"] = data["start_date"]
            arguments["end_date"] = data.get("end_date") or data["start_date"]
        else:
            end_day = data.get("end_date") or data["start_date"]
            arguments["starts_at"] = datetime.combine(data["start_date"], data["start_time"])
            arguments["ends_at"] = datetime.combine(end_day, data["end_time"])
        return arguments

    def service_fields(self) -> dict[str, str]:
        """Where a service's argument is typed on this form, when the names differ (for
        coparent.web.forms.add_service_error)."""
        all_day = bool(self.cleaned_data.get("all_day"))
        return {
            "timezone_name": "timezone",
            "starts_at": "start_time",
            "ends_at": "end_time" if not all_day else "end_date",
        }


def event_initial(details: EventDetails) -> dict[str, Any]:
    """The edit form's initial values from `services.current_details(event)`."""
    starts, ends = details.get("starts_at"), details.get("ends_at")
    if details["all_day"] or starts is None or ends is None:
        start_date, end_date = details.get("start_date"), details.get("end_date")
        start_time = end_time = None
    else:
        start_date, end_date = starts.date(), ends.date()
        start_time, end_time = starts.time(), ends.time()
    return {
        "title": details["title"],
        "children": details["children"],
        "kind": details["kind"],
        "all_day": details["all_day"],
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date if end_date != start_date else None,
        "end_time": end_time,
        "timezone": details["timezone_name"],
        "place": details["place"],
        "notes": details["notes"],
    }


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you be there?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, no or maybe.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=RSVP_NOTE_MAX_CHARS,
        required=False,
        # One line (the service keeps it on one); the other parent reads it beside the answer.
        widget=CoachedTextInput(),
        help_text=_("For example “I'll bring the cake” or “I can come after 16:00”."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled? (optional)"),
        max_length=RSVP_NOTE_MAX_CHARS,
        required=False,
        widget=CoachedTextInput(),
    )


class FilterForm(forms.Form):
    child = forms.ChoiceField(label=_("Child"), required=False)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
    )

    def __init__(self, data: Mapping[str, Any] | None, *, children: list[ChildView]) -> None:
        super().__init__(data)
        field_of(self, "child", forms.ChoiceField).choices = [
            ("", _("All children")),
            *((str(c.id), c.name) for c in children),
        ]

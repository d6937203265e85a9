"""The exchange pages' forms: one tap (a step, with an optional location) and a note."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.exchanges.models import NOTE_MAX_CHARS, Step
from coparent.messaging.forms import AttachmentsField
from coparent.web.fields import BoundedDateField
from coparent.web.forms import field_of
from coparent.web.tone import CoachedTextarea
from coparent.web.widgets import DateInput, TimeInput


class CheckInForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices, widget=forms.HiddenInput)
    # Filled by the page's script from the phone's location, only when the box is ticked for
    # this one tap; the server keeps it to about 100 m.
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    pin_place = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("What happened"),
        widget=CoachedTextarea(attrs={"rows": 4}),
        help_text=_(
            "Facts, with times: “Denied entry at the gate, 15:05.” Both parents read it, and "
            "it cannot be changed afterwards; add a new note to correct it."
        ),
        # The service checks the length and says by how much a note is over.
        max_length=NOTE_MAX_CHARS * 30,
    )
    follows = forms.UUIDField(required=False, widget=forms.HiddenInput)
    photos = AttachmentsField(
        label=_("Photos or PDFs (optional)"),
        required=False,
        help_text=_("Location and camera data are removed from photos before they are kept."),
    )


class PassForm(forms.Form):
    """A pickup pass's window, in the family's zone, and the children it names."""

    children = forms.MultipleChoiceField(
        label=_("Children"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one child.")},
    )
    start_date = BoundedDateField(label=_("From"), widget=DateInput())
    start_time = forms.TimeField(label=_("at"), widget=TimeInput())
    end_date = BoundedDateField(label=_("Until"), widget=DateInput())
    end_time = forms.TimeField(label=_("at"), widget=TimeInput())

    def __init__(self, *args: Any, children: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "children", forms.MultipleChoiceField).choices = list(children)

    def window(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The window as instants: the dates and times are wall-clock times in `zone`."""
        data = self.cleaned_data
        start = datetime.combine(data["start_date"], data["start_time"], tzinfo=zone)
        end = datetime.combine(data["end_date"], data["end_time"], tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


class ActualPeriodForm(forms.Form):
    """The period of the planned-and-actual page: local dates [start, end), a year at most."""

    start = BoundedDateField(label=_("From"), widget=DateInput(), required=False)
    end = BoundedDateField(label=_("To (not included)"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                self.add_error("end", _("The end must come after the start."))
            elif (end - start).days > 366:
                self.add_error("end", _("Choose a period of at most a year."))
        return data

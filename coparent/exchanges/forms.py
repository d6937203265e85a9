"""The exchange pages' forms: one tap (a step, with an optional location) and a note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.exchanges.models import NOTE_MAX_CHARS, Step
from coparent.web.tone import CoachedTextarea


class CheckInForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices, widget=forms.HiddenInput)
    # Filled by the page's script from the phone's location, only when the box is ticked for
    # this one tap; the server keeps it to about 100 m.
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)


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

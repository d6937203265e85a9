"""The journal's forms: an entry (or its correction), a share, the search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.journal.models import TEXT_MAX_CHARS
from coparent.messaging.forms import AttachmentsField
from coparent.web.fields import BoundedDateField
from coparent.web.forms import field_of
from coparent.web.widgets import DateInput


class CorrectionForm(forms.Form):
    """What a correction changes: the text, the day, the tags, more files. What it is about
    stays as the entry says."""

    text = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Only you read it, unless you share this entry with a professional. It is never "
            "changed: a correction is kept beside it."
        ),
        # The service checks the length and says by how much an entry is over; this only stops
        # a body far beyond it from being read into a form at all.
        max_length=TEXT_MAX_CHARS * 30,
    )
    happened_on = BoundedDateField(label=_("Day"), widget=DateInput(), required=False)
    tags = forms.CharField(
        label=_("Tags (optional)"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas: school, health, exchange."),
    )
    photos = AttachmentsField(
        label=_("Photos or PDFs (optional)"),
        required=False,
        help_text=_("Location and camera data are removed from photos before they are kept."),
    )


class EntryForm(CorrectionForm):
    link = forms.ChoiceField(label=_("About (optional)"), required=False)

    field_order = ["text", "happened_on", "tags", "link", "photos"]

    def __init__(
        self, *args: Any, links: list[tuple[str, list[tuple[str, str]]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("Nothing in particular"))]
        choices += [(group, items) for group, items in links if items]
        field_of(self, "link", forms.ChoiceField).choices = choices

    def link_parts(self) -> tuple[str, str]:
        kind, _sep, target = (self.cleaned_data.get("link") or "").partition(":")
        return kind, target


class ShareForm(forms.Form):
    professional = forms.ChoiceField(label=_("Share with"))

    def __init__(self, *args: Any, professionals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "professional", forms.ChoiceField).choices = professionals


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)

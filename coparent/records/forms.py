"""The timeline's filters, the export form and the verifier's upload."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import User
from coparent.records.models import Kind
from coparent.records.report import section_choices
from coparent.web.fields import BoundedDateField
from coparent.web.forms import field_of
from coparent.web.widgets import DateInput


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "kind", forms.ChoiceField).choices = [("", _("All kinds")), *Kind.choices]
        field_of(self, "person", forms.ChoiceField).choices = [
            ("", _("Everyone")),
            *((p.pk, str(p)) for p in people),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments for selectors.record_entries."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or None,
            "actor_id": data.get("person"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class ExportForm(forms.Form):
    FORMATS = [("pdf", _("PDF, for people")), ("json", _("JSON with its proof, for machines"))]

    file_format = forms.ChoiceField(
        label=_("Format"), choices=FORMATS, initial="pdf", widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label=_("Only these kinds"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Leave all unticked for the whole record. Entries left out stay in the chain as "
            "stubs, so the export still proves that nothing was removed."
        ),
    )
    # Dates in the family's zone, like every date on its pages (records.export).
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput())
    sections = forms.MultipleChoiceField(
        label=_("Sections of the PDF"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "What the PDF tells in readable pages for the period, before its proof. Leave all "
            "unticked for every section but the technical list of every entry, which the JSON "
            "inside the PDF always holds. Your journal is printed only in your own export."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The apps register their sections when they load (records.report), after this module.
        field_of(self, "sections", forms.MultipleChoiceField).choices = section_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data


class VerifyForm(forms.Form):
    """An export to check (the JSON, or the PDF that carries it) and, if kept, a checkpoint."""

    file = forms.FileField(
        label=_("The record's PDF or JSON file"),
        help_text=_("Nothing you upload is kept: it is checked and forgotten."),
    )
    checkpoint = forms.CharField(
        label=_("A checkpoint you kept (optional)"),
        help_text=_(
            "Paste the checkpoint from the weekly email, or the entry number and hash as "
            "SEQ:HASH; or choose its file below."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )
    checkpoint_file = forms.FileField(label=_("Checkpoint file (optional)"), required=False)

    def clean_checkpoint_file(self) -> str:
        upload = self.cleaned_data.get("checkpoint_file")
        if not upload:
            return ""
        if upload.size > 4000:
            raise forms.ValidationError(_("A checkpoint is a few lines: this file is not one."))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("A checkpoint is text: this file is not one.")) from None

    def checkpoint_text(self) -> str:
        return str(
            self.cleaned_data.get("checkpoint_file") or self.cleaned_data.get("checkpoint") or ""
        )

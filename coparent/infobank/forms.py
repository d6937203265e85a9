"""One form per kind of item, built from its fields in coparent.core.infobank: the form only
collects text, the service checks it (so the page and the API refuse the same things, in the
same words, beside the same fields)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from coparent.core import infobank
from coparent.web.widgets import DateInput


def _field(f: infobank.Field) -> forms.Field:
    label = _(f.label) + (" *" if f.required else "")
    help_text = _(f.help) if f.help else ""
    if f.type is infobank.FieldType.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=False,
            help_text=help_text,
            choices=[("", "—")] + [(key, _(text)) for key, text in f.choices],
        )
    widget: forms.Widget
    if f.type is infobank.FieldType.NOTES:
        widget = forms.Textarea(attrs={"rows": 3, "maxlength": infobank.NOTES_MAX})
    elif f.type is infobank.FieldType.DATE:
        widget = DateInput()
    elif f.type is infobank.FieldType.PHONE:
        widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    elif f.type is infobank.FieldType.EMAIL:
        widget = forms.TextInput(attrs={"type": "email", "autocomplete": "off"})
    elif f.type is infobank.FieldType.AMOUNT:
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    else:
        widget = forms.TextInput(attrs={"maxlength": infobank.TEXT_MAX})
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=widget, strip=True
    )


class ItemForm(forms.Form):
    """The fields of one kind of item, and the "needed for care" mark."""

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        kind: infobank.ItemKind,
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}))
        self.kind = kind
        for f in kind.fields:
            self.fields[f.name] = _field(f)
        self.fields["for_care"] = forms.BooleanField(
            label=_("Needed for care: a nanny or babysitter in the family sees it"),
            required=False,
        )

    def values(self) -> dict[str, str]:
        return {f.name: self.cleaned_data.get(f.name) or "" for f in self.kind.fields}

"""The documents pages' forms: the folder's filters, a new document with its file, and a newer
file for a document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.documents.models import TITLE_MAX_CHARS, Category
from coparent.web.fields import BoundedDateField
from coparent.web.forms import field_of
from coparent.web.widgets import DateInput

ACCEPT = "image/*,application/pdf"
FILE_HELP = _(
    "A PDF or a photo (JPEG, PNG, GIF, WebP). Its type is read from the file itself; location "
    "and camera data are removed from photos before they are kept."
)


class FolderFilterForm(forms.Form):
    """The folder's `?category=&child=&q=`: each narrows the list; none is required."""

    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *Category.choices], required=False
    )
    child = forms.ChoiceField(label=_("Child"), required=False)
    q = forms.CharField(
        label=_("Words in the title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, children: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "child", forms.ChoiceField).choices = [
            ("", _("All children")),
            *children,
        ]


class ChildrenField(forms.MultipleChoiceField):
    """The family's children as boxes; any id is let through to the service, which says
    "Choose among the family's children." beside the field along with every other problem."""

    def valid_value(self, value: str) -> bool:
        return True


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        # The service checks the length and says by how much a title is over.
        max_length=TITLE_MAX_CHARS * 10,
        required=False,
        help_text=_("What it is: “Custody order”, “Spring term report”."),
    )
    date = BoundedDateField(label=_("Date of the document"), widget=DateInput(), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    children = ChildrenField(
        label=_("Children concerned"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None, one or several."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=FILE_HELP,
    )

    def __init__(self, *args: Any, children: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "children", forms.MultipleChoiceField).choices = list(children)


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("The newer file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("The earlier versions stay, each downloadable as it was."),
    )

"""The widgets every app's forms use, so a date or a time looks and submits the same on every
page (docs/new-app.md). The tone coach's text boxes are in coparent.web.tone.

`QuickSelect` writes the same HTML as Django's `<select>` with less work: Django renders one
through a template, and each of its options through two more; on the inbox, whose topic filter
has nine, that was a good part of the page's own work (issue #17, "The cost of a request").
tests/web/test_widgets.py holds it to Django's markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The picker sends and expects ISO dates whatever the page's language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """The browser's time picker."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The picker sends and expects 24-hour "HH:MM" whatever the page's language.
        super().__init__(attrs=attrs, format="%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files at once."""

    allow_multiple_selected = True


def _text(value: object) -> str:
    # `value|stringformat:'s'` in Django's templates: the text, escaped unless already safe.
    text = "%s" % (value,)  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _label(label: object) -> str:
    # `{{ widget.label }}`: text (a lazy translation becomes its text), escaped unless safe.
    return str(conditional_escape(label if isinstance(label, str) else str(label)))


class QuickSelect(forms.Select):
    """A `<select>` of plain options, as django/forms/widgets/select.html writes it; one with
    option groups is left to Django's templates."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = widget["optgroups"]
        if any(group_name for group_name, _choices, _index in groups):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
            # The option's template ends in a newline, which Django keeps.
            f"{_label(option['label'])}</option>\n"
            for _group_name, choices, _index in groups
            for option in choices
        )
        return mark_safe(  # noqa: S308 - every value above is escaped as Django's templates do
            f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{options}\n</select>"
        )

"""Form fields that hold what a page reads to the bounds of coparent.core.limits.

Every date and every database number a page takes from a form or a query string goes through
one of these, so "?month=99999999999-01", "?before=²" or a plan in force from 9999-12-01 is a
field error on the page, never an overflow in the database or the schedule engine. The API's
typed fields (coparent.api.schemas) keep the same bounds and say the same thing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coparent.core.limits import DB_INT_MAX, FIRST_DATE, LAST_DATE, date_in_range


def date_range_message() -> str:
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": FIRST_DATE.isoformat(),
        "last": LAST_DATE.isoformat(),
    }


def check_date(value: date | None) -> None:
    """A validator: the date (or a moment's date) lies in the years every page and the API
    accept."""
    if value is not None and not date_in_range(value):
        raise ValidationError(date_range_message(), code="date_range")


class BoundedDateField(forms.DateField):
    """A date in [FIRST_DATE, LAST_DATE]; the browser's picker is held to the same range."""

    default_validators = [check_date]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if "date" in (getattr(widget, "input_type", ""), widget.attrs.get("type")):
            attrs.setdefault("min", FIRST_DATE.isoformat())
            attrs.setdefault("max", LAST_DATE.isoformat())
        return attrs


class MonthField(BoundedDateField):
    """A month as YYYY-MM (the calendar's `?month=`), cleaned to its first day."""

    input_formats = ["%Y-%m"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": _("Enter a month as YYYY-MM.")})
        super().__init__(**kwargs)


class IdField(forms.IntegerField):
    """A database id: a whole number from 1 to the largest a database column holds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", DB_INT_MAX)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)

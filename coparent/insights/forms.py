from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.insights.selectors import MAX_DAYS
from coparent.web.fields import BoundedDateField
from coparent.web.widgets import DateInput


class PeriodForm(forms.Form):
    """The insights' period: local dates [start, end), a year at most (default: the last
    twelve months)."""

    start = BoundedDateField(label=_("From"), widget=DateInput(), required=False)
    end = BoundedDateField(label=_("To (not included)"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                self.add_error("end", _("The end must come after the start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("Choose a period of at most a year."))
        return data

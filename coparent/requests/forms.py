"""Forms for the request pages. They shape input (a local date and time in the family's zone
into one instant); the rules live in the services, whose errors come back beside the fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coparent.core.schedule import local_midnight
from coparent.families.models import Child
from coparent.requests.models import (
    COMMENT_MAX_CHARS,
    DETAILS_MAX_CHARS,
    PLACE_MAX_CHARS,
    REASON_MAX_CHARS,
    TITLE_MAX_CHARS,
    CommentKind,
    RequestType,
)
from coparent.web.forms import field_of
from coparent.web.tone import CoachedTextarea, CoachedTextInput
from coparent.web.widgets import DateInput, TimeInput

DEFAULT_TIME = time(18, 0)

# The service's argument → the form field that holds it.
WHERE = {
    "starts_at": "start_date",
    "ends_at": "end_date",
    "due_at": "due_date",
}


def _moment(day: date | None, clock: time | None, zone: ZoneInfo) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, clock or DEFAULT_TIME, tzinfo=zone)


def _due(day: date | None, zone: ZoneInfo) -> datetime | None:
    """ "Answer by" a day: by the end of that day in the family's zone."""
    return local_midnight(zone, day + timedelta(days=1)) if day else None


class SpanFields(forms.Form):
    """From and until, as local dates and times in the family's zone."""

    start_date = forms.DateField(label=_("From (day)"), required=False, widget=DateInput())
    start_time = forms.TimeField(
        label=_("From (time)"),
        required=False,
        widget=TimeInput(),
        help_text=_("18:00 when left empty."),
    )
    end_date = forms.DateField(label=_("Until (day)"), required=False, widget=DateInput())
    end_time = forms.TimeField(label=_("Until (time)"), required=False, widget=TimeInput())

    def span(self, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        data = self.cleaned_data
        return (
            _moment(data.get("start_date"), data.get("start_time"), zone),
            _moment(data.get("end_date"), data.get("end_time"), zone),
        )


class RequestForm(SpanFields):
    title = forms.CharField(
        label=_("What are you asking?"),
        max_length=TITLE_MAX_CHARS,
        widget=CoachedTextInput(),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=DETAILS_MAX_CHARS,
        widget=CoachedTextarea(attrs={"rows": 4}),
    )
    children = forms.ModelMultipleChoiceField(
        label=_("For which children?"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the children this is about."),
            "invalid_choice": _("Choose children of this family."),
            "invalid_pk_value": _("Choose children of this family."),
        },
    )
    custody_to = forms.ChoiceField(
        label=_("Who has the children then?"),
        required=False,
        choices=[("me", _("Me")), ("other", _("The other parent"))],
        widget=forms.RadioSelect,
    )
    takes_children = forms.BooleanField(
        label=_("The children come with me (custody changes for these dates)"),
        required=False,
    )
    destination = forms.CharField(
        label=_("Destination"), required=False, max_length=PLACE_MAX_CHARS
    )
    itinerary = forms.CharField(
        label=_("Itinerary"),
        required=False,
        max_length=DETAILS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(
        label=_("How to reach the children"),
        required=False,
        max_length=DETAILS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A phone number, where you stay."),
    )
    due_date = forms.DateField(
        label=_("Answer by"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the usual time (never after it starts)."),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        kind: str,
        children: QuerySet[Child],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.kind = kind
        field_of(self, "children", forms.ModelMultipleChoiceField).queryset = children
        if kind != RequestType.SWAP:
            del self.fields["custody_to"]
        if kind != RequestType.TRIP:
            for name in ("takes_children", "destination", "itinerary", "contact"):
                del self.fields[name]
        if kind not in (RequestType.SWAP, RequestType.TRIP):
            for name in ("start_date", "start_time", "end_date", "end_time"):
                del self.fields[name]

    def service_arguments(self, zone: ZoneInfo) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "kind": self.kind,
            "title": data["title"],
            "details": data.get("details", ""),
            "children": list(data["children"]),
            "due_at": _due(data.get("due_date"), zone),
        }
        if self.kind in (RequestType.SWAP, RequestType.TRIP):
            values["starts_at"], values["ends_at"] = self.span(zone)
        if self.kind == RequestType.SWAP:
            values["custody_to"] = data.get("custody_to") or "me"
        if self.kind == RequestType.TRIP:
            values["custody_to"] = "me" if data.get("takes_children") else ""
            for name in ("destination", "itinerary", "contact"):
                values[name] = data.get(name, "")
        return values


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=REASON_MAX_CHARS,
        widget=CoachedTextarea(attrs={"rows": 3}),
        help_text=_("The other parent reads it, and it stays in the family record."),
    )


class CounterForm(SpanFields):
    details = forms.CharField(
        label=_("What do you propose instead?"),
        max_length=DETAILS_MAX_CHARS,
        widget=CoachedTextarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(label=_("Answer by"), required=False, widget=DateInput())

    def __init__(self, data: Mapping[str, Any] | None = None, *, dated: bool, **kwargs: Any):
        super().__init__(data, **kwargs)
        if not dated:
            for name in ("start_date", "start_time", "end_date", "end_time"):
                del self.fields[name]

    def service_arguments(self, zone: ZoneInfo) -> dict[str, Any]:
        starts_at, ends_at = self.span(zone) if "start_date" in self.fields else (None, None)
        return {
            "details": self.cleaned_data["details"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "due_at": _due(self.cleaned_data.get("due_date"), zone),
        }


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_CHARS,
        widget=CoachedTextarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=_("This is"),
        choices=CommentKind.choices,
        initial=CommentKind.COMMENT,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, may_resolve: bool, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        if not may_resolve:
            del self.fields["kind"]


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("RequestType"), required=False, choices=[("", _("All kinds")), *RequestType.choices]
    )

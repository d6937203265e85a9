"""The plan editor's forms: the plan itself and one row form per holiday, birthday and school
break. The forms only read what was typed; the engine (coparent.core.schedule) decides whether
it is a usable plan, and each of its problems is put back on the field or row it names
(`apply_problems`), so the editor and the API give the same messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from coparent.core.schedule import DESCRIPTIONS, PATTERNS
from coparent.core.schedule.holiday_dates import UnknownCalendar, names_in_year
from coparent.families.selectors import first_name
from coparent.schedule.models import NOTE_MAX_CHARS, Reminder
from coparent.web.fields import BoundedDateField, MonthField
from coparent.web.tone import CoachedTextarea
from coparent.web.widgets import DateInput, TimeInput

if TYPE_CHECKING:
    from coparent.infra.labels import StrOrPromise

CUSTOM = "custom"
OWNER_CHOICES = [("", _("nobody (the rotation)")), ("A", _("parent A")), ("B", _("parent B"))]


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, StrOrPromise]]:
    from holidays.registry import COUNTRIES

    found = sorted(
        (codes[1], f"{re.sub(r'(?<!^)(?=[A-Z])', ' ', codes[0])} ({codes[1]})")
        for codes in COUNTRIES.values()
    )
    return [("", _("none")), *found]


@lru_cache(maxsize=256)
def holiday_names(country: str, subdivision: str, year: int) -> list[str]:
    """The names the `holidays` package gives for the country in a year (for the datalist)."""
    try:
        return sorted({name for _day, name in names_in_year(country, subdivision or None, year)})
    except (UnknownCalendar, NotImplementedError, KeyError):
        return []


def _pattern_choices() -> list[tuple[str, StrOrPromise]]:
    named: list[tuple[str, StrOrPromise]] = [
        (key, f"{key} — {DESCRIPTIONS[key]}") for key in PATTERNS
    ]
    return named + [(CUSTOM, _("Custom rotation (letters A and B)"))]


class PlanForm(forms.Form):
    pattern = forms.ChoiceField(label=_("Pattern"), choices=_pattern_choices)
    rotation = forms.CharField(
        label=_("Custom rotation"),
        required=False,
        max_length=1000,
        help_text=_(
            "One letter a day, repeating: A for parent A, B for parent B (AABBAAABBAABBB)."
        ),
    )
    start = BoundedDateField(label=_("Day 0 of the rotation"), widget=DateInput())
    exchange_time = forms.TimeField(label=_("Exchange time"), widget=TimeInput())
    exchange_place = forms.CharField(
        label=_("Usual exchange place"), required=False, max_length=200
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices)
    country = forms.ChoiceField(
        label=_("Country for holidays"), choices=country_choices, required=False
    )
    subdivision = forms.CharField(
        label=_("State, province or region"),
        required=False,
        max_length=10,
        help_text=_("Optional code, like TX or ON."),
    )
    effective_from = BoundedDateField(
        label=_("In force from"),
        widget=DateInput(),
        help_text=_("Today or later: days already past never change."),
    )
    note = forms.CharField(
        label=_("Note for the other parent"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        # The other parent reads it with the proposal: the tone coach watches the box.
        widget=CoachedTextarea(attrs={"rows": 2}),
    )


def _offset(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=20, help_text=_('Like "-1d 18:00" or "+0d 09:00".')
    )


def _owner(label: StrOrPromise) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=OWNER_CHOICES, required=False)


class HolidayForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    date = forms.CharField(
        label=_("Holiday"),
        required=False,
        max_length=100,
        help_text=_('A name from the country\'s holidays, or a fixed date "MM-DD".'),
        widget=forms.TextInput(attrs={"list": "holiday-names"}),
    )
    start = _offset(_("Starts"))
    end = _offset(_("Ends"))
    odd_years = _owner(_("Odd years"))
    even_years = _owner(_("Even years"))


class BirthdayForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    date = BoundedDateField(label=_("Date of birth"), required=False, widget=DateInput())
    start = _offset(_("Starts"))
    end = _offset(_("Ends"))
    odd_years = _owner(_("Odd years"))
    even_years = _owner(_("Even years"))


class SchoolBreakForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    start = BoundedDateField(label=_("First day"), required=False, widget=DateInput())
    end = BoundedDateField(label=_("Back on"), required=False, widget=DateInput())
    split = forms.ChoiceField(
        label=_("Split"),
        choices=[("whole", _("whole")), ("halves", _("in halves"))],
        required=False,
    )
    odd_years = _owner(_("Odd years (or first half)"))
    even_years = _owner(_("Even years (or first half)"))


HolidayFormSet = formset_factory(HolidayForm, extra=2, max_num=40)
BirthdayFormSet = formset_factory(BirthdayForm, extra=1, max_num=20)
SchoolBreakFormSet = formset_factory(SchoolBreakForm, extra=2, max_num=40)
TABLES = (("holiday", "holidays"), ("birthday", "birthdays"), ("school_break", "breaks"))
# What a person types into a row. A row with none of these filled is a spare blank row, even
# though its selects (split, owners) always post a value.
ROW_CONTENT = {
    "holiday": ("name", "date", "start", "end"),
    "birthday": ("name", "date", "start", "end"),
    "school_break": ("name", "start", "end"),
}
TOP_FIELDS = {
    "timezone",
    "start",
    "exchange_time",
    "pattern",
    "rotation",
    "exchange_place",
    "country",
    "subdivision",
    "effective_from",
    "note",
}


@dataclass
class Editor:
    """The plan form and its three row sets, bound or not."""

    form: PlanForm
    holidays: BaseFormSet[HolidayForm]
    birthdays: BaseFormSet[BirthdayForm]
    breaks: BaseFormSet[SchoolBreakForm]
    # For each table, the form index of each row that went into the plan.
    rows: dict[str, list[int]]

    @property
    def formsets(self) -> list[BaseFormSet[Any]]:
        return [self.holidays, self.birthdays, self.breaks]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        return valid

    def plan_data(self, parents: tuple[str, str]) -> dict[str, Any]:
        """The plan in the engine's dict shape, from valid forms; blank rows are left out."""
        data = self.form.cleaned_data
        plan: dict[str, Any] = {
            "timezone": data["timezone"],
            "parents": list(parents),
            "start": data["start"].isoformat(),
            "exchange_time": data["exchange_time"].strftime("%H:%M"),
        }
        if data["pattern"] == CUSTOM:
            plan["rotation"] = data["rotation"].strip()
        else:
            plan["pattern"] = data["pattern"]
        for key in ("exchange_place", "country", "subdivision"):
            if data.get(key):
                plan[key] = data[key].strip()
        self.rows = {}
        for (key, _attr), formset in zip(TABLES, self.formsets, strict=True):
            tables = []
            self.rows[key] = []
            for index, row in enumerate(formset.forms):
                values = row.cleaned_data
                if not values or all(values.get(f) in (None, "") for f in ROW_CONTENT[key]):
                    continue
                table = {}
                for name, value in values.items():
                    if value in (None, ""):
                        continue
                    table[name] = value.isoformat() if isinstance(value, date) else value
                tables.append(table)
                self.rows[key].append(index)
            if tables:
                plan[key] = tables
        return plan

    def apply_problems(self, problems: list[tuple[str, str]]) -> None:
        """Each engine problem on the field or row it names; the rest on the form itself."""
        for name, message in problems:
            match = re.fullmatch(r"(holiday|birthday|school_break)\[(\d+)\](?:\.(\w+))?", name)
            if match:
                key, position, field = match.group(1), int(match.group(2)), match.group(3)
                formset = self.formsets[[k for k, _a in TABLES].index(key)]
                indexes = self.rows.get(key, [])
                if position < len(indexes):
                    row = formset.forms[indexes[position]]
                    row.add_error(field if field in row.fields else None, message)
                    continue
            if name == "pattern" or (
                name == "rotation" and self.form.cleaned_data.get("pattern") != CUSTOM
            ):
                self.form.add_error("pattern", message)
            elif name in TOP_FIELDS:
                self.form.add_error(name, message)
            else:
                self.form.add_error(None, f"{name}: {message}" if name != "__all__" else message)


def editor(
    data: Mapping[str, Any] | None = None, *, initial: dict[str, Any] | None = None
) -> Editor:
    initial = initial or {}
    rows = initial.get("rows", {})
    return Editor(
        form=PlanForm(data, initial=initial.get("plan")),
        holidays=HolidayFormSet(data, prefix="holiday", initial=rows.get("holiday") or None),
        birthdays=BirthdayFormSet(data, prefix="birthday", initial=rows.get("birthday") or None),
        breaks=SchoolBreakFormSet(
            data, prefix="school_break", initial=rows.get("school_break") or None
        ),
        rows={},
    )


def initial_from_plan(
    plan: dict[str, Any] | None, *, today: date, children: list[Any], zone: str = "UTC"
) -> dict[str, Any]:
    """The editor's starting values: the plan in force (to change it), or a first plan in the
    family's zone `zone` with a birthday row for each child."""
    if plan is None:
        return {
            "plan": {
                "pattern": "2-2-3",
                "start": today,
                "exchange_time": "18:00",
                "timezone": zone,
                "effective_from": today,
            },
            "rows": {
                "birthday": [
                    {
                        # Every member sees the calendar, viewers too, who see first names.
                        "name": f"{first_name(child.name)}'s birthday",
                        "date": child.date_of_birth,
                        "start": "+0d 15:00",
                        "end": "+0d 19:00",
                        "odd_years": "A",
                        "even_years": "B",
                    }
                    for child in children
                ]
            },
        }
    top = {
        key: plan.get(key, "")
        for key in (
            "start",
            "exchange_time",
            "timezone",
            "exchange_place",
            "country",
            "subdivision",
        )
    }
    top["pattern"] = plan.get("pattern") or CUSTOM
    top["rotation"] = "" if plan.get("pattern") else plan.get("rotation", "")
    top["effective_from"] = today
    rows = {key: [dict(row) for row in plan.get(key, [])] for key, _attr in TABLES}
    for row in rows["school_break"]:
        # The editor works in whole days (a date means that date at the exchange time).
        row["start"], row["end"] = str(row["start"])[:10], str(row["end"])[:10]
    return {"plan": top, "rows": rows}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline"),
        max_length=NOTE_MAX_CHARS,
        widget=CoachedTextarea(attrs={"rows": 3}),
    )


class PeriodForm(forms.Form):
    start = BoundedDateField(label=_("From"), widget=DateInput())
    end = BoundedDateField(label=_("To (not included)"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            if data["end"] <= data["start"]:
                self.add_error("end", _("The end must come after the start."))
            elif (data["end"] - data["start"]).days > 366 * 20:
                self.add_error("end", _("Choose a period of at most twenty years."))
        return data


class MonthQuery(forms.Form):
    """The month page's `?month=YYYY-MM`."""

    month = MonthField(label=_("Month"), required=False)


class AgendaQuery(forms.Form):
    """The agenda's `?from=YYYY-MM-DD`, its first day."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Named after the parameter, which is a Python keyword and so cannot be declared.
        self.fields["from"] = BoundedDateField(label=_("First day"), required=False)


class FeedRemindersForm(forms.Form):
    """The reminders (VALARM) a member's calendar feed carries (docs/schedules.md)."""

    exchange_reminder = forms.TypedChoiceField(
        label=_("Remind me of each exchange"),
        choices=[("", _("No reminder")), *((v, label) for v, label in Reminder.choices if v)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    event_reminder = forms.TypedChoiceField(
        label=_("Remind me of each child's event"),
        help_text=_("An all-day event rings at 6 pm the evening before."),
        choices=[("", _("No reminder")), *((v, label) for v, label in Reminder.choices if v)],
        coerce=int,
        empty_value=None,
        required=False,
    )

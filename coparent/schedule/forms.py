"""The plan editor's forms: the plan itself and one row form per holiday, birthday and school
break, in plain words ("Who has the children on the first day?", "the day before at 17:30",
"Sam, even years") that map onto the plan format of docs/schedules.md, which stays as it is
(`plan_data` writes it, `initial_from_plan` reads it back). The forms only read what was
typed; the engine (coparent.core.schedule) decides whether it is a usable plan, and each of
its problems is put back on the field or row it names
(`apply_problems`), so the editor and the API give the same messages."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from coparent.core.places import home_letter, home_marker
from coparent.core.schedule import PATTERNS
from coparent.core.schedule.holiday_dates import (
    OBSERVED,
    UnknownCalendar,
    matches,
    names_in_year,
    zone_country,
)
from coparent.core.schedule.model import parse_month_day
from coparent.core.schedule.parse import MAX_OFFSET_DAYS
from coparent.core.zones import all_zone_choices
from coparent.families.selectors import first_name
from coparent.schedule.models import NOTE_MAX_CHARS, Reminder
from coparent.schedule.words import PATTERN_WORDS, SWAP, pattern_of
from coparent.web.fields import BoundedDateField, MonthField
from coparent.web.tone import CoachedTextarea
from coparent.web.widgets import DateInput, TimeInput

if TYPE_CHECKING:
    from coparent.infra.labels import StrOrPromise

CUSTOM = "custom"
# Which years a holiday-like day goes to the parent chosen beside it. Stored as the plan's
# `odd_years` and `even_years` (None leaves that year to the usual rotation).
YEARS_CHOICES: list[tuple[str, StrOrPromise]] = [
    ("every", _("Every year")),
    ("even", _("Even years (the other parent in odd years)")),
    ("odd", _("Odd years (the other parent in even years)")),
    ("even_only", _("Even years only (odd years follow the usual pattern)")),
    ("odd_only", _("Odd years only (even years follow the usual pattern)")),
]
# How far before or after its date a holiday's or birthday's time with a parent may begin or
# end, in the lists; a plan from a file may reach further, and its own value is kept.
NEAR_DAYS = 14
_OFFSET = re.compile(r"^\s*([+-]?\d{1,3})\s*d\s+(\d{1,2}):(\d{2})\s*$")


def other_letter(letter: str) -> str:
    return "B" if letter == "A" else "A"


def owners_from_words(parent: str, years: str) -> dict[str, str]:
    """The plan's `odd_years` and `even_years` for "Sam, even years" and the like."""
    other = other_letter(parent)
    return {
        "every": {"odd_years": parent, "even_years": parent},
        "even": {"odd_years": other, "even_years": parent},
        "odd": {"odd_years": parent, "even_years": other},
        "even_only": {"even_years": parent},
        "odd_only": {"odd_years": parent},
    }[years]


def words_from_owners(odd: str | None, even: str | None) -> tuple[str, str]:
    """The (parent, years) choice that gives these owners back: the inverse of
    `owners_from_words` for every pair the engine takes (at least one of them set)."""
    if odd and even:
        if odd == even:
            return odd, "every"
        return even, "even"
    if even:
        return even, "even_only"
    return odd or "A", "odd_only"


def day_words(days: int) -> str:
    if days == 0:
        return str(_("on the day"))
    if days == -1:
        return str(_("the day before"))
    if days == 1:
        return str(_("the day after"))
    if days < 0:
        return str(_("%(n)d days before")) % {"n": -days}
    return str(_("%(n)d days after")) % {"n": days}


def day_choices(extra: int | None = None) -> list[tuple[int, str]]:
    days = set(range(-NEAR_DAYS, NEAR_DAYS + 1))
    if extra is not None:
        days.add(extra)
    return [(d, day_words(d)) for d in sorted(days)]


def split_offset(text: object) -> tuple[int, str] | None:
    """ "-1d 17:30" as (-1, "17:30"); None for anything else."""
    match = _OFFSET.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    days, hour, minute = (int(g) for g in match.groups())
    return days, f"{hour:02d}:{minute:02d}"


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, StrOrPromise]]:
    from holidays.registry import COUNTRIES

    found = sorted(
        (f"{re.sub(r'(?<!^)(?=[A-Z])', ' ', codes[0])}", codes[1]) for codes in COUNTRIES.values()
    )
    return [("", _("No holidays from a country")), *((code, name) for name, code in found)]


@lru_cache(maxsize=256)
def holiday_names(country: str, subdivision: str, year: int) -> list[str]:
    """The names the `holidays` package gives for the country in `year` and the next, without
    the "(observed)" days (a plan names the holiday; the engine finds its day)."""
    found: set[str] = set()
    for each in (year, year + 1):
        try:
            found.update(name for _day, name in names_in_year(country, subdivision or None, each))
        except (UnknownCalendar, NotImplementedError, KeyError):
            return []
    return sorted(name for name in found if OBSERVED not in name.casefold())


def holiday_choice_for(country: str, subdivision: str, wanted: str, year: int) -> str:
    """The name in the list that a stored rule's `date` text picks ("Thanksgiving" picks
    "Thanksgiving Day"), so an older plan opens with its holiday chosen; the text itself when
    it picks no single name."""
    try:
        found = {name for _day, name in matches(country, subdivision or None, wanted, year)}
    except (UnknownCalendar, NotImplementedError, KeyError):
        return wanted
    return found.pop() if len(found) == 1 else wanted


def _pattern_choices() -> list[tuple[str, StrOrPromise]]:
    named: list[tuple[str, StrOrPromise]] = [(key, PATTERN_WORDS[key]) for key in PATTERNS]
    return named + [(CUSTOM, _("My own rotation, day by day"))]


class PlanForm(forms.Form):
    def __init__(self, *args: Any, parents: tuple[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parents = parents
        a, b = parents
        zone = self.initial.get("timezone")
        zones = self.fields["timezone"]
        if isinstance(zones, forms.ChoiceField) and zone and zone not in dict(all_zone_choices()):
            # A plan from a file may use an older alias ("US/Central"): it stays choosable.
            zones.choices = [*all_zone_choices(), (zone, zone)]
        set_choices(self, "first_parent", [("A", a), ("B", b)])
        set_choices(
            self,
            "exchange_home",
            [
                ("", _("No: at the place written below")),
                (home_marker("A"), _("At %(name)s's home") % {"name": a}),
                (home_marker("B"), _("At %(name)s's home") % {"name": b}),
            ],
        )
        letter = home_letter(str(self.initial.get("exchange_place", "")))
        if letter is not None:
            # A stored home marker shows as the choice, never as text to edit (a copy: the
            # caller's initial values stay as they were).
            self.initial = {**self.initial, "exchange_home": home_marker(letter)}
            self.initial["exchange_place"] = ""
        self.fields["rotation"].help_text = _(
            "Only for your own rotation: one letter a day from the first day, repeating: "
            "A for %(a)s, B for %(b)s. AABB means two days each."
        ) % {"a": a, "b": b}

    pattern = forms.ChoiceField(
        label=_("How the children move between you"), choices=_pattern_choices
    )
    start = BoundedDateField(
        label=_("First day of the pattern"),
        widget=DateInput(),
        help_text=_("The pattern counts from this day and repeats from it."),
    )
    first_parent = forms.ChoiceField(
        label=_("Who has the children on the first day?"),
        choices=[("A", "A"), ("B", "B")],
        help_text=_("From the exchange on the first day until the next exchange."),
    )
    rotation = forms.CharField(label=_("Your own rotation"), required=False, max_length=1000)
    exchange_time = forms.TimeField(
        label=_("Exchanges happen at"),
        widget=TimeInput(),
        help_text=_("The time of day the children change homes."),
    )
    exchange_home = forms.ChoiceField(
        label=_("Exchanges at a parent's home?"),
        required=False,
        choices=[("", "")],
        help_text=_(
            "The plan then names the home, never its address: each parent keeps their own "
            "address in the family settings, and safe mode keeps it from the other."
        ),
    )
    exchange_place = forms.CharField(
        label=_("Where exchanges happen"),
        required=False,
        max_length=200,
        help_text=_('Another place, for example "at school" or "the library\'s front door".'),
    )
    timezone = forms.ChoiceField(label=_("Time zone of these times"), choices=all_zone_choices)
    country = forms.ChoiceField(
        label=_("Country whose holidays you keep"),
        choices=country_choices,
        required=False,
        help_text=_("Its holidays are offered in the list below."),
    )
    subdivision = forms.CharField(
        label=_("State, province or region"),
        required=False,
        max_length=10,
        help_text=_("Optional, for its own holidays: a code like TX or ON."),
    )
    effective_from = BoundedDateField(
        label=_("The plan starts on"),
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

    field_order = [
        "pattern",
        "start",
        "first_parent",
        "rotation",
        "exchange_time",
        "exchange_home",
        "exchange_place",
        "timezone",
        "country",
        "subdivision",
        "effective_from",
        "note",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pattern") == CUSTOM:
            rotation = (data.get("rotation") or "").strip().upper()
            data["rotation"] = rotation
            wrong = sorted(set(rotation) - {"A", "B"})
            if not rotation:
                self.add_error("rotation", _("Type your rotation, one letter a day."))
            elif wrong:
                self.add_error(
                    "rotation",
                    _("Use only the letters A (%(a)s) and B (%(b)s); found %(wrong)s.")
                    % {"a": self.parents[0], "b": self.parents[1], "wrong": ", ".join(wrong)},
                )
            elif data.get("first_parent") and rotation[0] != data["first_parent"]:
                self.add_error(
                    "first_parent",
                    _(
                        "Your rotation starts with %(letter)s, which is %(name)s: choose "
                        "%(name)s here, or start the rotation with the other letter."
                    )
                    % {"letter": rotation[0], "name": self.parents[rotation[0] == "B"]},
                )
        elif (data.get("rotation") or "").strip():
            self.add_error(
                "rotation",
                _('Choose "My own rotation" above to use it, or leave this empty.'),
            )
        return data

    def pattern_data(self) -> dict[str, str]:
        """The plan's `pattern` or `rotation` (valid form): a named pattern whose first day is
        the second parent's is written as its rotation with the letters swapped."""
        data = self.cleaned_data
        if data["pattern"] == CUSTOM:
            return {"rotation": data["rotation"]}
        if data["first_parent"] == "B":
            return {"rotation": PATTERNS[data["pattern"]].translate(SWAP)}
        return {"pattern": data["pattern"]}


def pattern_words(plan: Mapping[str, Any]) -> dict[str, str]:
    """The editor's pattern, first parent and own rotation for a stored plan: the inverse of
    `PlanForm.pattern_data`."""
    name, first, rotation = pattern_of(plan)
    if name is not None:
        return {"pattern": name, "first_parent": first, "rotation": ""}
    return {"pattern": CUSTOM, "first_parent": first, "rotation": rotation}


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        field.choices = choices


def require_choices(form: forms.Form, data: dict[str, Any], names: Sequence[str]) -> None:
    """A row that holds something needs each of these selects answered."""
    for name in names:
        if name in data and data[name] in (None, ""):
            form.add_error(name, _("Choose one."))


class YearlyRowForm(forms.Form):
    """A holiday or a birthday: who has the children from when to when around its date, and in
    which years. Its `start` and `end` are the plan's offsets ("-1d 17:30": the day before at
    17:30), chosen as a day and a time."""

    def __init__(self, *args: Any, parents: tuple[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "parent", [("A", parents[0]), ("B", parents[1])])
        for name in ("from_day", "until_day"):
            field = self.fields[name]
            if isinstance(field, forms.TypedChoiceField):
                field.choices = day_choices(self._kept_day(name))

    # The selects are not required on their own: a spare row posts them too, and is left out.
    # A row with content must have them (`clean`).
    from_day = forms.TypedChoiceField(
        label=_("Starts"),
        coerce=int,
        choices=day_choices,
        initial=0,
        required=False,
        empty_value=None,
    )
    from_time = forms.TimeField(label=_("Starting at"), required=False, widget=TimeInput())
    until_day = forms.TypedChoiceField(
        label=_("Ends"),
        coerce=int,
        choices=day_choices,
        initial=1,
        required=False,
        empty_value=None,
    )
    until_time = forms.TimeField(label=_("Ending at"), required=False, widget=TimeInput())
    parent = forms.ChoiceField(
        label=_("Who has the children"), choices=[("A", "A"), ("B", "B")], required=False
    )
    years = forms.ChoiceField(label=_("Which years"), choices=YEARS_CHOICES, required=False)

    # What a person types: a row with none of these is a spare blank row (its selects always
    # post a value).
    content: tuple[str, ...] = ("from_time", "until_time")

    def _kept_day(self, name: str) -> int | None:
        """A day further from the date than the list goes, which a plan from a file may have:
        offered when the row opens with it, and taken back when posted (within the engine's
        bounds), so editing the plan keeps it."""
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        try:
            days = int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None
        return days if days is not None and abs(days) <= MAX_OFFSET_DAYS else None

    def has_content(self) -> bool:
        values = getattr(self, "cleaned_data", None) or {}
        return any(values.get(f) not in (None, "") for f in self.content)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_content():
            return data
        require_choices(self, data, ("from_day", "until_day", "parent", "years"))
        for name in ("from_time", "until_time"):
            if name in data and data[name] is None:
                self.add_error(name, _("Give a time, like 17:30."))
        begin, end = data.get("from_time"), data.get("until_time")
        if begin is not None and end is not None and "from_day" in data and "until_day" in data:
            if (data["until_day"], end) <= (data["from_day"], begin):
                self.add_error("until_time", _("It must end after it starts."))
        return data

    def offsets(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "start": f"{data['from_day']:+d}d {data['from_time']:%H:%M}",
            "end": f"{data['until_day']:+d}d {data['until_time']:%H:%M}",
            **owners_from_words(data["parent"], data["years"]),
        }


class HolidayForm(YearlyRowForm):
    def __init__(
        self, *args: Any, parents: tuple[str, str], names: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, parents=parents, **kwargs)
        listed = list(names)
        current = self.initial.get("holiday")
        if current and current not in listed:
            listed.append(current)
        set_choices(self, "holiday", [("", _("Choose a holiday")), *((n, n) for n in listed)])

    holiday = forms.ChoiceField(
        label=_("Holiday"),
        required=False,
        choices=[("", "")],
        help_text=_("The holidays of the country chosen above."),
    )
    fixed_date = BoundedDateField(
        label=_("Or a day of your own"),
        required=False,
        widget=DateInput(),
        help_text=_("The same day and month every year (its year does not count)."),
    )
    name = forms.CharField(
        label=_("Name on the calendar"),
        required=False,
        max_length=100,
        help_text=_("Optional for a holiday from the list: its own name is used."),
    )
    # A holiday from a plan file may name its own country; it is kept as it was.
    country = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    subdivision = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    field_order = ["holiday", "fixed_date", "name"]
    content = ("holiday", "fixed_date", "name", "from_time", "until_time")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.has_content():
            return data
        if data.get("holiday") and data.get("fixed_date"):
            self.add_error(
                "fixed_date", _("Choose a holiday from the list or a day of your own, not both.")
            )
        elif (
            not data.get("holiday")
            and not data.get("fixed_date")
            and not {"holiday", "fixed_date"} & set(self.errors)
        ):
            self.add_error("holiday", _("Choose a holiday, or give a day of your own."))
        elif data.get("fixed_date") and not (data.get("name") or "").strip():
            self.add_error("name", _('Give the day a name, like "Grandma\'s visit".'))
        return data

    def table(self) -> dict[str, Any]:
        data = self.cleaned_data
        fixed: date | None = data.get("fixed_date")
        when = f"{fixed:%m-%d}" if fixed else data["holiday"]
        table: dict[str, Any] = {"name": (data.get("name") or "").strip() or when, "date": when}
        for key in ("country", "subdivision"):
            if data.get(key):
                table[key] = data[key]
        return {**table, **self.offsets()}


class BirthdayForm(YearlyRowForm):
    name = forms.CharField(label=_("Name on the calendar"), required=False, max_length=100)
    date = BoundedDateField(label=_("Date of birth"), required=False, widget=DateInput())

    field_order = ["name", "date"]
    content = ("name", "date", "from_time", "until_time")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.has_content():
            if not (data.get("name") or "").strip() and "name" in data:
                self.add_error("name", _('Give it a name, like "Mia\'s birthday".'))
            if data.get("date") is None and "date" not in self.errors:
                self.add_error("date", _("Give the date of birth."))
        return data

    def table(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"].strip(), "date": data["date"].isoformat(), **self.offsets()}


class SchoolBreakForm(forms.Form):
    def __init__(self, *args: Any, parents: tuple[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "parent", [("A", parents[0]), ("B", parents[1])])

    name = forms.CharField(label=_("Name on the calendar"), required=False, max_length=100)
    start = BoundedDateField(
        label=_("First day"),
        required=False,
        widget=DateInput(),
        help_text=_("From the exchange time on this day."),
    )
    end = BoundedDateField(
        label=_("Back on"),
        required=False,
        widget=DateInput(),
        help_text=_("Until the exchange time on this day."),
    )
    split = forms.ChoiceField(
        label=_("How it is shared"),
        choices=[
            ("whole", _("The whole break with one parent")),
            ("halves", _("Split in two halves: the other parent has the second half")),
        ],
        required=False,
    )
    parent = forms.ChoiceField(
        label=_("Who has the children (or the first half)"),
        choices=[("A", "A"), ("B", "B")],
        required=False,
    )
    years = forms.ChoiceField(
        label=_("Which years"),
        choices=YEARS_CHOICES,
        required=False,
        help_text=_("A break belongs to the year in which it starts."),
    )

    content = ("name", "start", "end")

    def has_content(self) -> bool:
        values = getattr(self, "cleaned_data", None) or {}
        return any(values.get(f) not in (None, "") for f in self.content)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_content():
            require_choices(self, data, ("parent", "years"))
            if not (data.get("name") or "").strip() and "name" in data:
                self.add_error("name", _('Give it a name, like "Winter break".'))
            for key in ("start", "end"):
                if data.get(key) is None and key not in self.errors:
                    self.add_error(key, _("Give a date."))
            if data.get("start") and data.get("end") and data["end"] <= data["start"]:
                self.add_error("end", _("The break must end after its first day."))
        return data

    def table(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "split": data.get("split") or "whole",
            **owners_from_words(data["parent"], data["years"]),
        }


HolidayFormSet = formset_factory(HolidayForm, extra=2, max_num=40)
BirthdayFormSet = formset_factory(BirthdayForm, extra=1, max_num=20)
SchoolBreakFormSet = formset_factory(SchoolBreakForm, extra=2, max_num=40)
TABLES = (("holiday", "holidays"), ("birthday", "birthdays"), ("school_break", "breaks"))
# Where an engine problem on a row's key is shown in the row's form.
ROW_FIELDS = {
    "date": "holiday",
    "start": "from_time",
    "end": "until_time",
    "odd_years": "years",
    "even_years": "years",
}
TOP_FIELDS = {
    "timezone",
    "exchange_home",
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
            **self.form.pattern_data(),
        }
        for key in ("exchange_place", "country", "subdivision"):
            if data.get(key):
                plan[key] = data[key].strip()
        if data.get("exchange_home"):
            plan["exchange_place"] = data["exchange_home"]
        self.rows = {}
        for (key, _attr), formset in zip(TABLES, self.formsets, strict=True):
            tables = []
            self.rows[key] = []
            for index, row in enumerate(formset.forms):
                if not row.has_content():
                    continue
                tables.append(row.table())
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
                    if field and field not in row.fields:
                        field = ROW_FIELDS.get(field)
                    if field == "holiday" and row.cleaned_data.get("fixed_date"):
                        field = "fixed_date"
                    if field not in row.fields or row.fields[field].widget.is_hidden:
                        field = None  # said at the top of the row, where it is seen
                    row.add_error(field, message)
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
    data: Mapping[str, Any] | None = None,
    *,
    parents: tuple[str, str],
    initial: dict[str, Any] | None = None,
    year: int,
) -> Editor:
    """The editor, bound to `data` or starting from `initial`; the holiday lists are those of
    the country chosen (posted, else the initial one) in `year` and the next."""
    initial = initial or {}
    rows = initial.get("rows", {})
    top = initial.get("plan") or {}
    country = str((data.get("country") if data is not None else top.get("country")) or "")
    subdivision = str(
        (data.get("subdivision") if data is not None else top.get("subdivision")) or ""
    )
    names = holiday_names(country.upper(), subdivision.strip(), year) if country else []
    return Editor(
        form=PlanForm(data, initial=top, parents=parents),
        holidays=HolidayFormSet(
            data,
            prefix="holiday",
            initial=rows.get("holiday") or None,
            form_kwargs={"parents": parents, "names": names},
        ),
        birthdays=BirthdayFormSet(
            data,
            prefix="birthday",
            initial=rows.get("birthday") or None,
            form_kwargs={"parents": parents},
        ),
        breaks=SchoolBreakFormSet(
            data,
            prefix="school_break",
            initial=rows.get("school_break") or None,
            form_kwargs={"parents": parents},
        ),
        rows={},
    )


def _yearly_initial(row: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, day, clock in (("start", "from_day", "from_time"), ("end", "until_day", "until_time")):
        parts = split_offset(row.get(key))
        if parts is not None:
            found[day], found[clock] = parts
    found["parent"], found["years"] = words_from_owners(row.get("odd_years"), row.get("even_years"))
    return found


def initial_from_plan(
    plan: dict[str, Any] | None,
    *,
    today: date,
    children: list[Any],
    zone: str = "UTC",
) -> dict[str, Any]:
    """The editor's starting values: the plan in force (to change it), or a first plan in the
    family's zone `zone`, with the holidays of the country that zone is in, and a birthday row
    for each child."""
    if plan is None:
        return {
            "plan": {
                "pattern": "2-2-3",
                "first_parent": "A",
                "start": today,
                "exchange_time": "18:00",
                "timezone": zone,
                "country": zone_country(zone) or "",
                "effective_from": today,
            },
            "rows": {
                "birthday": [
                    {
                        # Every member sees the calendar, viewers too, who see first names.
                        "name": f"{first_name(child.name)}'s birthday",
                        "date": child.date_of_birth,
                        "from_day": 0,
                        "from_time": "15:00",
                        "until_day": 0,
                        "until_time": "19:00",
                        "parent": "A",
                        "years": "odd",
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
    top.update(pattern_words(plan))
    top["effective_from"] = today
    holidays = []
    for row in plan.get("holiday", []):
        item = {"name": row.get("name", ""), **_yearly_initial(row)}
        when = str(row.get("date", ""))
        if parse_month_day(when) is not None:
            item["fixed_date"] = date(2000, int(when[:2]), int(when[3:]))
        else:
            country = row.get("country") or plan.get("country") or ""
            subdivision = row.get("subdivision") or (
                "" if row.get("country") else plan.get("subdivision", "")
            )
            item["holiday"] = holiday_choice_for(country, subdivision, when, today.year)
            if item["name"] == item["holiday"]:
                item["name"] = ""
        item.update({k: row[k] for k in ("country", "subdivision") if row.get(k)})
        holidays.append(item)
    birthdays = [
        {"name": row.get("name", ""), "date": _birth_date(row.get("date")), **_yearly_initial(row)}
        for row in plan.get("birthday", [])
    ]
    breaks = []
    for row in plan.get("school_break", []):
        parent, years = words_from_owners(row.get("odd_years"), row.get("even_years"))
        breaks.append(
            {
                "name": row.get("name", ""),
                # The editor works in whole days (a date means that date at the exchange time).
                "start": str(row["start"])[:10],
                "end": str(row["end"])[:10],
                "split": row.get("split", "whole"),
                "parent": parent,
                "years": years,
            }
        )
    return {
        "plan": top,
        "rows": {"holiday": holidays, "birthday": birthdays, "school_break": breaks},
    }


def _birth_date(value: object) -> date | str:
    """A stored birthday's date: a date of birth as it is; a bare "MM-DD" as that day in 2000
    (the editor asks for a date of birth; the year of a bare one is unknown)."""
    text = str(value or "")
    month_day = parse_month_day(text)
    if month_day is not None:
        return date(2000, *month_day)
    return text


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

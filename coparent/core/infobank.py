"""The children's info bank, without Django: what can be written about a child, how each value
is checked, which values are masked, and what a nanny needs for care (issue 13, PRODUCT.md).

- `KINDS`: every kind of item (an allergy, a medicine, a doctor…) with its fields; `SECTIONS`
  groups them the way the pages show them (school, health, allergies…).
- `validate(kind, values)`: the values cleaned, or `InfoProblem` naming every field that is
  wrong in words a parent can act on ("Give the dose's unit: mg, ml, drops…"). Nothing is
  guessed: a dose of "5" without a unit is refused, never read as milligrams.
- `mask(value)`: a passport or ID number as "•••••89", the last 2–4 characters only, so a
  page read over a shoulder does not hand out a child's identity.
- `commit(value, salt)`: a salted SHA-256 of a sensitive value, what the family record carries
  instead of the number (the record goes into exports and to professionals).
- `CARE_BY_DEFAULT`: the kinds a viewer (a nanny) sees unless the parents say otherwise;
  parents change the mark per item.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

TEXT_MAX = 200
NOTES_MAX = 2_000
MASK_CHAR = "•"


class FieldType(enum.StrEnum):
    TEXT = "text"
    NOTES = "notes"  # several lines
    PHONE = "phone"
    EMAIL = "email"
    DATE = "date"  # an ISO date, "2031-05-01"
    CHOICE = "choice"
    AMOUNT = "amount"  # a positive decimal number, "2.5"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    sensitive: bool = False  # masked on pages, never in the record in clear
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class ItemKind:
    """A kind of item: its fields, and which of them names the item in a list."""

    key: str
    label: str
    plural: str
    fields: tuple[Field, ...]
    title_field: str
    # At least one of these must be given (sizes: clothes or shoes); empty: none of the sort.
    one_of: tuple[str, ...] = ()
    # How a sentence names one ("Add a passport or ID"); by default the label in lower case.
    noun: str = ""

    @property
    def phrase(self) -> str:
        return self.noun or self.label.lower()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def sensitive_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.sensitive)


DOSE_UNITS = (
    ("mg", "mg"),
    ("g", "g"),
    ("mcg", "mcg"),
    ("ml", "ml"),
    ("drops", "drops"),
    ("tablets", "tablets"),
    ("capsules", "capsules"),
    ("puffs", "puffs"),
    ("sachets", "sachets"),
    ("units", "units"),
)
SEVERITIES = (
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
    ("life_threatening", "Life-threatening"),
)
CARE_ROLES = (
    ("doctor", "Doctor (GP)"),
    ("paediatrician", "Paediatrician"),
    ("dentist", "Dentist"),
    ("therapist", "Therapist"),
    ("specialist", "Specialist"),
    ("other", "Other"),
)
DOCUMENTS = (
    ("passport", "Passport"),
    ("national_id", "National ID card"),
    ("residence_permit", "Residence permit"),
    ("other", "Other"),
)


def _contact(*, phone_required: bool = False) -> tuple[Field, ...]:
    return (
        Field("phone", "Phone", FieldType.PHONE, required=phone_required),
        Field("email", "Email", FieldType.EMAIL),
        Field("address", "Address"),
    )


SCHOOL = ItemKind(
    "school",
    "School",
    "School",
    (
        Field("school", "School", required=True),
        Field("class_name", "Class"),
        *_contact(),
        Field("notes", "Notes", FieldType.NOTES),
    ),
    title_field="school",
)
TEACHER = ItemKind(
    "teacher",
    "Teacher",
    "Teachers",
    (
        Field("name", "Name", required=True),
        Field("subject", "Subject or role", help="Class teacher, maths, SEN coordinator…"),
        Field("phone", "Phone", FieldType.PHONE),
        Field("email", "Email", FieldType.EMAIL),
    ),
    title_field="name",
)
DOCTOR = ItemKind(
    "doctor",
    "Doctor or therapist",
    "Doctors, dentist, therapists",
    (
        Field("name", "Name", required=True),
        Field("role", "Role", FieldType.CHOICE, required=True, choices=CARE_ROLES),
        *_contact(),
    ),
    title_field="name",
)
ALLERGY = ItemKind(
    "allergy",
    "Allergy",
    "Allergies",
    (
        Field("allergen", "Allergic to", required=True, help="Peanuts, penicillin, bee stings…"),
        Field("reaction", "Reaction", help="Hives, swelling, breathing…"),
        Field("severity", "Severity", FieldType.CHOICE, choices=SEVERITIES),
        Field("notes", "What to do", FieldType.NOTES, help="EpiPen in the front pocket…"),
    ),
    title_field="allergen",
)
MEDICINE = ItemKind(
    "medicine",
    "Medicine",
    "Medicines",
    (
        Field("name", "Medicine", required=True),
        Field("dose_amount", "Dose", FieldType.AMOUNT, help="How much each time: 5"),
        Field("dose_unit", "Unit", FieldType.CHOICE, choices=DOSE_UNITS),
        Field("schedule", "When", help="Morning and evening, with food"),
        Field("notes", "Notes", FieldType.NOTES),
    ),
    title_field="name",
)
CONDITION = ItemKind(
    "condition",
    "Condition",
    "Conditions",
    (
        Field("name", "Condition", required=True, help="Asthma, diabetes, ADHD…"),
        Field("notes", "What to know", FieldType.NOTES),
    ),
    title_field="name",
)
INSURANCE = ItemKind(
    "insurance",
    "Insurance",
    "Insurance",
    (
        Field("provider", "Provider", required=True),
        Field("policy_number", "Policy number"),
        Field("phone", "Phone", FieldType.PHONE),
        Field("notes", "Notes", FieldType.NOTES),
    ),
    title_field="provider",
)
SIZES = ItemKind(
    "sizes",
    "Sizes",
    "Sizes",
    (
        Field("clothes", "Clothes", help="EU 122, age 7–8"),
        Field("shoes", "Shoes", help="EU 31"),
        Field("notes", "Notes", FieldType.NOTES),
    ),
    title_field="clothes",
    one_of=("clothes", "shoes"),
)
EMERGENCY_CONTACT = ItemKind(
    "emergency_contact",
    "Emergency contact",
    "Emergency contacts",
    (
        Field("name", "Name", required=True),
        Field("relation", "Relation", help="Grandmother, neighbour…"),
        Field("phone", "Phone", FieldType.PHONE, required=True),
        Field("notes", "Notes", FieldType.NOTES),
    ),
    title_field="name",
)
ACTIVITY = ItemKind(
    "activity",
    "Activity",
    "Activities",
    (
        Field("name", "Activity", required=True),
        Field("schedule", "When", help="Tuesdays 17:00–18:00"),
        Field("place", "Where"),
        Field("contact", "Coach or contact"),
        Field("phone", "Phone", FieldType.PHONE),
    ),
    title_field="name",
)
IDENTITY = ItemKind(
    "identity",
    "Passport or ID",
    "Passports and IDs",
    (
        Field("document", "Document", FieldType.CHOICE, required=True, choices=DOCUMENTS),
        Field("number", "Number", required=True, sensitive=True),
        Field("expires", "Expires", FieldType.DATE),
        Field("country", "Issuing country", required=True),
    ),
    title_field="document",
    noun="passport or ID",
)

KINDS: dict[str, ItemKind] = {
    k.key: k
    for k in (
        SCHOOL,
        TEACHER,
        DOCTOR,
        ALLERGY,
        MEDICINE,
        CONDITION,
        INSURANCE,
        SIZES,
        EMERGENCY_CONTACT,
        ACTIVITY,
        IDENTITY,
    )
}


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    kinds: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("allergies", "Allergies", ("allergy",)),
    Section("medicines", "Medicines", ("medicine",)),
    Section("emergency", "Emergency contacts", ("emergency_contact",)),
    Section("health", "Health", ("doctor", "condition", "insurance")),
    Section("school", "School", ("school", "teacher")),
    Section("activities", "Activities", ("activity",)),
    Section("sizes", "Sizes", ("sizes",)),
    Section("documents", "Passports and IDs", ("identity",)),
)

# What a nanny needs to look after the child: the parents mark or unmark each item.
CARE_BY_DEFAULT = frozenset({"allergy", "medicine", "emergency_contact", "doctor"})
# What the emergency card shows, in this order (one printed page).
EMERGENCY_CARD = ("allergy", "medicine", "doctor", "emergency_contact")


class InfoProblem(ValueError):
    """Values that cannot be stored: `problems` maps a field to what to do about it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise TypeError
    return " ".join(str(raw).split()) if not isinstance(raw, str) else raw.strip()


def _check(f: Field, text: str) -> tuple[str, str | None]:
    """The cleaned value of one filled field, or the problem with it."""
    limit = NOTES_MAX if f.type is FieldType.NOTES else TEXT_MAX
    if f.type is not FieldType.NOTES:
        text = " ".join(text.split())
    if len(text) > limit:
        return text, f"At most {limit:,} characters (this has {len(text):,})."
    if f.type is FieldType.PHONE and (not _PHONE.match(text) or sum(c.isdigit() for c in text) < 3):
        return text, "Enter a phone number: digits, spaces and an optional + in front."
    if f.type is FieldType.EMAIL and not _EMAIL.match(text):
        return text, "Enter an email address like name@example.org."
    if f.type is FieldType.CHOICE:
        keys = [key for key, _label in f.choices]
        if text not in keys:
            return text, f"Choose one of: {', '.join(label for _k, label in f.choices)}."
    if f.type is FieldType.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return text, "Enter a date as year-month-day, 2031-05-01."
        if not 1901 <= day.year <= 2198:
            return text, "Enter a date between 1901 and 2198."
        return day.isoformat(), None
    if f.type is FieldType.AMOUNT:
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return text, "Enter a number, like 5 or 2.5."
        if not amount.is_finite() or amount <= 0 or amount >= 100_000:
            return text, "Enter an amount above zero, like 5 or 2.5."
        if amount.as_tuple().exponent < -3:  # type: ignore[operator]  # finite: an int
            return text, "At most three decimals."
        return format(amount.normalize(), "f"), None
    return text, None


def validate(kind: str, values: Mapping[str, object]) -> dict[str, str]:
    """The values of an item of `kind`, cleaned (only the filled fields, in the kind's order),
    or InfoProblem naming every field that is wrong."""
    item = KINDS.get(kind)
    if item is None:
        raise InfoProblem({"kind": f"Choose what to add: {', '.join(sorted(KINDS))}."})
    problems: dict[str, str] = {}
    unknown = sorted(str(k) for k in values if k not in {f.name for f in item.fields})
    if unknown:
        problems["values"] = f"{item.label} has no field {', '.join(unknown)}."
    clean: dict[str, str] = {}
    for f in item.fields:
        try:
            text = _text(values.get(f.name))
        except TypeError:
            problems[f.name] = "Enter text."
            continue
        if not text:
            if f.required:
                problems[f.name] = f"Enter the {f.label.lower()}."
            continue
        value, problem = _check(f, text)
        if problem:
            problems[f.name] = problem
        else:
            clean[f.name] = value
    if kind == MEDICINE.key:
        if "dose_amount" in clean and "dose_unit" not in clean and "dose_unit" not in problems:
            problems["dose_unit"] = (
                "Give the dose's unit (mg, ml, drops, tablets…): a number alone can be misread."
            )
        if "dose_unit" in clean and "dose_amount" not in clean and "dose_amount" not in problems:
            problems["dose_amount"] = "Give how much each time, or leave the unit empty."
    if item.one_of and not any(clean.get(name) for name in item.one_of):
        if not any(name in problems for name in item.one_of):
            labels = " or ".join(item.field(name).label.lower() for name in item.one_of)
            problems[item.one_of[0]] = f"Enter the {labels}."
    if problems:
        raise InfoProblem(problems)
    return clean


def mask(value: str) -> str:
    """A sensitive value with only its last characters showing: 2 of a short one, 3 of a
    middling one, 4 of a long one, never more than a third of it (a 4-character value shows
    none). The dots keep the value's length, so two numbers still look different."""
    shown = 4 if len(value) >= 12 else 3 if len(value) >= 9 else 2 if len(value) >= 6 else 0
    return MASK_CHAR * (len(value) - shown) + value[len(value) - shown :] if value else ""


def commit(value: str, salt: str) -> str:
    """A salted SHA-256 commitment to a sensitive value: shows it changed (or did not) and lets
    a parent who holds the value and the salt prove it, without putting it in the record."""
    return hashlib.sha256(f"{salt}\x00{value}".encode()).hexdigest()


def title(kind: str, values: Mapping[str, str]) -> str:
    """How an item is named in a list: "Peanuts", "Amoxicillin 5 ml", "Passport (NL)"."""
    item = KINDS[kind]
    if kind == MEDICINE.key and values.get("dose_amount"):
        return f"{values.get('name', '')} {values['dose_amount']} {values.get('dose_unit', '')}"
    if kind == IDENTITY.key:
        labels = dict(DOCUMENTS)
        doc = labels.get(values.get("document", ""), values.get("document", ""))
        return f"{doc} ({values['country']})" if values.get("country") else doc
    if kind == SIZES.key:
        parts = [
            f"{item.field(n).label} {values[n]}" for n in ("clothes", "shoes") if values.get(n)
        ]
        return ", ".join(parts)
    text = values.get(item.title_field, "")
    f = item.field(item.title_field)
    return dict(f.choices).get(text, text) if f.choices else text


@dataclass(frozen=True)
class Change:
    """What one new version changed, field by field, as the record and notifications say it
    (without any sensitive value)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    cleared: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.added + self.changed + self.cleared


def diff(before: Mapping[str, str], after: Mapping[str, str]) -> Change:
    """The fields a new version adds, changes and clears, each in alphabetical order."""
    return Change(
        added=tuple(sorted(k for k in after if k not in before)),
        changed=tuple(sorted(k for k in after if k in before and before[k] != after[k])),
        cleared=tuple(sorted(k for k in before if k not in after)),
    )


def shown(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """The values with every sensitive one masked: what a page shows before a reveal."""
    item = KINDS[kind]
    sensitive = set(item.sensitive_fields)
    return {k: mask(v) if k in sensitive else v for k, v in values.items()}


def public(
    kind: str, values: Mapping[str, str], salt: str, also: Iterable[str] = ()
) -> dict[str, str]:
    """The values as the family record carries them: each sensitive one, and each named in
    `also` (a parent's private home address), replaced by its salted commitment ("sha256:…")."""
    sensitive = set(KINDS[kind].sensitive_fields) | set(also)
    return {
        k: f"sha256:{commit(v, f'{salt}:{k}')}" if k in sensitive else v for k, v in values.items()
    }


def display(kind: str, name: str, value: str) -> str:
    """A stored value as a person reads it: a choice's label, a dose's unit as written."""
    f = KINDS[kind].field(name)
    return dict(f.choices).get(value, value) if f.choices else value

"""The info bank's chapter of the demo stories (coparent/cli/demo_data.py): each child's school,
doctors, allergies, medicines, sizes, emergency contacts, activities and passport, written by
one parent early in the year and kept current by both as the year goes on (a shoe size, a
dose, a renewed passport), so every item's history has something to show.

Everything goes through the same services a parent uses, at the story's own times; about
fifteen items a child and a handful of changes, so the record and the other parent's news
read like a family's year, not a data dump.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess
from coparent.infobank import services
from coparent.infobank.models import InfoItem

Values = Mapping[str, str]


@dataclass(frozen=True)
class Household:
    """Where a demo family lives: what its children's info is written with."""

    school: str
    school_phone: str
    doctor: str
    doctor_phone: str
    dentist: str
    insurer: str
    country: str
    grandparent: str
    grandparent_phone: str
    neighbour: str
    neighbour_phone: str


CHICAGO = Household(
    school="Lincoln Park Elementary",
    school_phone="+1 312 555 0142",
    doctor="Dr. Angela Reed",
    doctor_phone="+1 312 555 0188",
    dentist="Dr. Marcus Hill",
    insurer="Blue Lake Health",
    country="US",
    grandparent="Rose Lopez",
    grandparent_phone="+1 773 555 0111",
    neighbour="Sam Kowalski",
    neighbour_phone="+1 312 555 0175",
)
LONDON = Household(
    school="St Anne's Primary",
    school_phone="+44 20 7946 0321",
    doctor="Dr Priya Nair",
    doctor_phone="+44 20 7946 0555",
    dentist="Dr Tom Ellis",
    insurer="NHS (no private cover)",
    country="GB",
    grandparent="Margaret Brooks",
    grandparent_phone="+44 7700 900123",
    neighbour="Fatima Khan",
    neighbour_phone="+44 7700 900456",
)


def _add(access: FamilyAccess, child: Child, kind: str, values: Values, at: datetime) -> InfoItem:
    return services.item_add(access=access, child=child, kind=kind, values=values, at=at)


def fill(
    writer: FamilyAccess,
    other: FamilyAccess,
    children: list[Child],
    home: Household,
    *,
    at: datetime,
    passports: tuple[str, ...],
) -> dict[tuple[str, str], InfoItem]:
    """The first filling of every child's info bank, by `writer` over an evening from `at`,
    and what `other` adds later that night. Returns the items the later changes touch, by (child's
    name, what)."""
    kept: dict[tuple[str, str], InfoItem] = {}
    moment = at
    for n, child in enumerate(children):

        def add(kind: str, values: Values, child: Child = child) -> InfoItem:
            nonlocal moment
            moment += timedelta(minutes=3)
            return _add(writer, child, kind, values, moment)

        older = n == 0
        add(
            "school",
            {
                "school": home.school,
                "class_name": "Year 4, Room 12" if older else "Kindergarten, Room 2",
                "phone": home.school_phone,
            },
        )
        add(
            "teacher",
            {
                "name": "Ms. Alvarez" if older else "Mr. Chen",
                "subject": "Class teacher",
                "email": f"{'alvarez' if older else 'chen'}@school.example.org",
            },
        )
        add("doctor", {"name": home.doctor, "role": "paediatrician", "phone": home.doctor_phone})
        add(
            "emergency_contact",
            {"name": home.grandparent, "relation": "Grandmother", "phone": home.grandparent_phone},
        )
        add(
            "emergency_contact",
            {"name": home.neighbour, "relation": "Neighbour", "phone": home.neighbour_phone},
        )
        kept[(child.name, "sizes")] = add(
            "sizes", {"clothes": "140" if older else "110", "shoes": "EU 33" if older else "EU 27"}
        )
        kept[(child.name, "passport")] = add(
            "identity",
            {
                "document": "passport",
                "number": passports[n % len(passports)],
                "expires": (at + timedelta(days=200 + 300 * n)).date().isoformat(),
                "country": home.country,
            },
        )
        if older:
            add("condition", {"name": "Asthma", "notes": "Mild; worse with colds and cold air."})
            kept[(child.name, "medicine")] = add(
                "medicine",
                {
                    "name": "Salbutamol inhaler",
                    "dose_amount": "2",
                    "dose_unit": "puffs",
                    "schedule": "When wheezy, up to 4 times a day",
                    "notes": "Blue inhaler, in the school bag's front pocket.",
                },
            )
            add("activity", {"name": "Swimming", "schedule": "Tuesdays 17:00–18:00"})
        else:
            kept[(child.name, "allergy")] = add(
                "allergy",
                {
                    "allergen": "Peanuts",
                    "reaction": "Hives, swollen lips",
                    "severity": "severe",
                    "notes": "EpiPen in the kitchen drawer and at school. Call 911 after using it.",
                },
            )
            add("activity", {"name": "Football", "schedule": "Saturdays 10:00"})
    # Later that night the other parent adds what they look after.
    moment += timedelta(minutes=40)
    for child in children:
        for kind, values in (
            ("doctor", {"name": home.dentist, "role": "dentist"}),
            ("insurance", {"provider": home.insurer}),
        ):
            moment += timedelta(minutes=2)
            _add(other, child, kind, values, moment)
    return kept


def grow(
    kept: Mapping[tuple[str, str], InfoItem],
    by: FamilyAccess,
    child: str,
    *,
    clothes: str,
    shoes: str,
    at: datetime,
) -> None:
    """Children grow: a parent writes the new sizes."""
    services.item_change(
        access=by, item=kept[(child, "sizes")], values={"clothes": clothes, "shoes": shoes}, at=at
    )


def change(
    kept: Mapping[tuple[str, str], InfoItem],
    by: FamilyAccess,
    child: str,
    what: str,
    values: Values,
    *,
    at: datetime,
) -> None:
    """A parent corrects or updates an item (a dose, a reaction, a renewed passport)."""
    services.item_change(access=by, item=kept[(child, what)], values=values, at=at)

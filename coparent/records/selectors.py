"""Reads of the family record for people: the timeline, the dashboard's latest entries and a
plain-language summary of each entry.

Only parents and consented professionals read the record; a viewer's role stops at the calendar
and child events, so every selector here starts with `access.require_shared()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.families.models import ProfessionalKind, Role
from coparent.families.selectors import FamilyAccess
from coparent.records.models import Kind, RecordEntry


def record_entries(
    access: FamilyAccess,
    *,
    kind: str | None = None,
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[RecordEntry]:
    """The family's record, newest first, with each entry's actor in the same query.

    Dates are UTC calendar days, both ends included. `at` is stored as the fixed-width UTC text
    that was hashed ("2027-03-14T15:05:09.123456Z"), so comparing it with an ISO date string
    orders exactly like the instants do.
    """
    access.require_shared()
    entries = (
        RecordEntry.objects.filter(family=access.family).select_related("actor").order_by("-seq")
    )
    if kind:
        entries = entries.filter(kind=kind)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if date_from is not None:
        entries = entries.filter(at__gte=date_from.isoformat())
    if date_to is not None and date_to < date.max:
        entries = entries.filter(at__lt=(date_to + timedelta(days=1)).isoformat())
    return entries


def latest_entries(access: FamilyAccess, n: int = 10) -> QuerySet[RecordEntry]:
    return record_entries(access)[:n]


def record_people(access: FamilyAccess) -> QuerySet[User]:
    """Everyone who has ever held a seat in the family, present or past: the people whose
    actions the record can show."""
    access.require_shared()
    return (
        User.objects.filter(memberships__family=access.family)
        .distinct()
        .order_by("display_name", "pk")
    )


# --- Plain-language summaries ----------------------------------------------------------------

Summariser = Callable[[dict[str, Any]], str]


def _label(choices: type[Role] | type[ProfessionalKind], value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _member_joined(d: dict[str, Any]) -> str:
    text = _("%(name)s joined as %(role)s") % {
        "name": d.get("name", ""),
        "role": _label(Role, d.get("role")),
    }
    if d.get("professional_kind"):
        text += f" ({_label(ProfessionalKind, d['professional_kind'])})"
    return text


def _member_left(d: dict[str, Any]) -> str:
    values = {"name": d.get("name", ""), "role": _label(Role, d.get("role"))}
    if d.get("removed_by_other"):
        return _("%(name)s (%(role)s) was removed from the family") % values
    return _("%(name)s (%(role)s) left the family") % values


def _child_changed(d: dict[str, Any]) -> str:
    labels = {"name": _("name"), "date_of_birth": _("date of birth")}
    parts = [
        _("%(field)s from “%(old)s” to “%(new)s”")
        % {
            "field": labels.get(field, field),
            "old": change.get("from", ""),
            "new": change.get("to", ""),
        }
        for field, change in (d.get("changes") or {}).items()
        if isinstance(change, dict)
    ]
    return _("Child details changed: %(changes)s") % {"changes": "; ".join(parts)}


SUMMARIES: dict[str, Summariser] = {
    Kind.FAMILY_CREATED: lambda d: (
        _("Family space “%(name)s” created") % {"name": d.get("name", "")}
    ),
    Kind.MEMBER_INVITED: lambda d: (
        _("%(email)s invited as %(role)s")
        % {
            "email": d.get("email", ""),
            "role": _label(Role, d.get("role")),
        }
    ),
    Kind.INVITATION_CANCELLED: lambda d: (
        _("Invitation to %(email)s cancelled") % {"email": d.get("email", "")}
    ),
    Kind.MEMBER_JOINED: _member_joined,
    Kind.MEMBER_LEFT: _member_left,
    Kind.CONSENT_GIVEN: lambda d: (
        _("Consent given for %(name)s") % {"name": d.get("professional", "")}
    ),
    Kind.CONSENT_WITHDRAWN: lambda d: (
        _("Consent withdrawn for %(name)s") % {"name": d.get("professional", "")}
    ),
    Kind.CHILD_ADDED: lambda d: (
        _("%(name)s added, born %(date)s")
        % {
            "name": d.get("name", ""),
            "date": d.get("date_of_birth", ""),
        }
    ),
    Kind.CHILD_CHANGED: _child_changed,
}


def register_summary(kind: str, summarise: Summariser) -> None:
    """Other apps add the plain-language summary of their own kinds of entry here."""
    SUMMARIES[kind] = summarise


def _generic_summary(data: dict[str, Any]) -> str:
    # For a kind nobody described yet: its plain values, so the page never hides a fact.
    parts = [
        f"{key}: {value}"
        for key, value in data.items()
        if isinstance(value, str | int | float | bool) and value != ""
    ]
    text = "; ".join(parts)
    return text if len(text) <= 300 else text[:299] + "…"


def entry_summary(entry: RecordEntry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    summarise = SUMMARIES.get(entry.kind)
    if summarise is not None:
        try:
            return summarise(data)
        except (AttributeError, KeyError, TypeError, ValueError):
            # An entry is evidence as written; an odd shape must not break the page.
            pass
    return _generic_summary(data)


@dataclass(frozen=True)
class EntryRow:
    entry: RecordEntry
    at: datetime | None
    summary: str

    @property
    def actor_name(self) -> str:
        actor = self.entry.actor
        return str(actor) if actor is not None else _("Coparent")

    @property
    def short_hash(self) -> str:
        return self.entry.hash[:12]


def entry_rows(entries: QuerySet[RecordEntry] | list[RecordEntry]) -> list[EntryRow]:
    """Entries ready for a page: parsed time and summary; no queries beyond the entries'."""
    rows = []
    for entry in entries:
        try:
            at: datetime | None = datetime.fromisoformat(entry.at)
        except ValueError:
            at = None
        rows.append(EntryRow(entry=entry, at=at, summary=entry_summary(entry)))
    return rows
